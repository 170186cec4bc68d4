/** Every section the issue names, in menu order; only the inbox is built yet (docs/workbench.md). */
export const SECTIONS = [
  { path: 'inbox', title: '收件箱', english: 'Inbox', ready: true },
  { path: 'people', title: '流动人口', english: 'People', ready: false },
  { path: 'certificates', title: '婚育证明', english: 'Certificates', ready: false },
  { path: 'tasks', title: '协查委托', english: 'Tasks', ready: false },
  { path: 'services', title: '服务', english: 'Services', ready: false },
  { path: 'notices', title: '信息通报', english: 'Notices', ready: false },
  { path: 'campaign-import', title: '专项活动', english: 'Campaign import', ready: false },
  { path: 'agreements', title: '区域协作协议', english: 'Agreements', ready: false },
  { path: 'evaluation', title: '互评', english: 'Evaluation', ready: false },
  { path: 'exchange-monitor', title: '交换监控', english: 'Exchange monitor', ready: false },
] as const;
