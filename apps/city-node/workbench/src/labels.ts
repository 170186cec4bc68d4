// zh-CN names of the API's codes. The keys are the API's enums (libs/contracts);
// tests/workbench/labels.spec.ts fails when the two lists part.

export const ROLE_LABELS: Record<string, string> = {
  admin: '系统管理员',
  coordinator: '协作工作人员',
  auditor: '审计人员',
};

export const TASK_KIND_LABELS = {
  investigation: '协查',
  commission: '委托',
};

export const DOMAIN_LABELS = {
  publicity: '宣传教育',
  'maternal-care': '孕产期服务',
  contraception: '避孕节育服务',
  'marriage-certificate': '婚育证明',
  'information-exchange': '信息交换',
  'fee-collection': '社会抚养费协作',
};

export const TASK_STATE_LABELS = {
  requested: '待接受',
  accepted: '办理中',
  rejected: '已退回',
  completed: '已办结',
  cancelled: '已撤销',
};

export const TASK_REJECTION_REASON_LABELS = {
  'not-our-person': '非本地人员',
  'not-our-remit': '不属本单位职责',
  'insufficient-information': '信息不足',
  duplicate: '重复委托',
  other: '其他',
};

export const TASK_OUTCOME_LABELS = {
  done: '已办结',
  'partly-done': '部分办结',
  'person-not-found': '查无此人',
  'not-possible': '无法办理',
};

export const VERIFICATION_RESULT_LABELS = {
  VALID: '有效',
  INVALID: '无效',
  NOT_FOUND: '查无此证',
  EXPIRED: '已过期',
};

export const SERVICE_TYPE_LABELS = {
  'free-basic': '免费基本服务',
  'maternal-care': '孕产期保健',
  contraception: '避孕节育服务',
  'health-check': '查环查孕',
  'publicity-session': '宣传教育活动',
  'benefit-payment': '奖励扶助兑现',
  other: '其他',
};

export const NOTICE_CATEGORY_LABELS = {
  policy: '政策通报',
  person: '人员通报',
  campaign: '专项活动',
  other: '其他',
};

/** The label of a code, with the code itself after it, or the bare code when it has none. */
export function labelled(labels: Record<string, string>, code: string): string {
  const label = labels[code];
  return label ? `${label} ${code}` : code;
}

/** `{ value, label }` pairs for a select, in the API's order. */
export function options(labels: Record<string, string>): { value: string; label: string }[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label: `${label} ${value}` }));
}
