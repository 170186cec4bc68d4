/**
 * The rules of the migrant flow (DESIGN §4 migrant.*), without framework
 * code: what makes an arrival row valid, which node is a person's outflow
 * node, which status a record moves to. The HTTP API and the campaign import
 * both call these, so a CSV row and a POST body pass or fail alike.
 */
import { isUUID } from 'class-validator';
import {
  isCalendarDate,
  isNodeCode,
  MARITAL_STATUSES,
  MaritalStatus,
  MIGRANT_UPDATABLE_FIELDS,
  MigrantUpdatableField,
  normalizePersonText,
  normalizeResidentId,
  personTextProblem,
  residentIdProblem,
  PersonTextProblemCode,
  ResidentIdProblemCode,
} from '@yipanqi/contracts';

/** A registered arrival, validated and with its defaults filled in. */
export interface ArrivalInput {
  person: { idNumber: string; name: string; phone?: string; address: string };
  /** YYYY-MM-DD */
  arrivedOn: string;
  /** county-level division of the household registration (户籍地) */
  householdDivision: string;
  /** the node told of the arrival: by default the prefecture of `householdDivision` */
  outflowNode: string;
  residencePermitNumber?: string;
  maritalStatus: MaritalStatus;
  children?: number;
  /** the agreement with `outflowNode` to send under; by default the one in force */
  agreementId?: string;
  campaignId?: string;
}

/** The fields of a raw arrival row (a POST body, a CSV line), all at the top level. */
export const ARRIVAL_FIELDS = [
  'idNumber',
  'name',
  'phone',
  'address',
  'arrivedOn',
  'householdDivision',
  'outflowNode',
  'residencePermitNumber',
  'maritalStatus',
  'children',
  'agreementId',
  'campaignId',
] as const;

export type ArrivalFieldCode =
  | 'INVALID'
  | 'UNKNOWN_FIELD'
  | ResidentIdProblemCode
  | PersonTextProblemCode
  | 'DATE_IN_FUTURE'
  | 'OUTFLOW_IS_THIS_NODE';

/** One finding about one field, in the shape of the API's problem `errors`. */
export interface FieldError {
  field: string;
  code: ArrivalFieldCode;
  problem: string;
}

export type ArrivalCheck =
  { arrival: ArrivalInput; errors?: never } | { arrival?: never; errors: FieldError[] };

export interface RowContext {
  /** this node's code: a person registered under it is not a migrant to it */
  me: string;
  /** YYYY-MM-DD in China Standard Time (chinaToday) */
  today: string;
}

const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;
const DIVISION = /^[1-9]\d{5}$/;

/**
 * Validates one raw arrival row. Values are strings (CSV) or JSON values (the
 * API); an empty string counts as absent. `children` may be a number or a
 * string of digits. Problems never repeat the value they refuse.
 */
export function validateArrivalRow(
  row: Record<string, unknown>,
  context: RowContext,
): ArrivalCheck {
  const errors: FieldError[] = [];
  const fail = (field: string, code: ArrivalFieldCode, problem: string) =>
    errors.push({ field, code, problem: `${field} ${problem}` });
  const present = (field: string) =>
    row[field] !== undefined && row[field] !== null && row[field] !== '';
  const text = (
    field: string,
    required: boolean,
    min: number,
    max: number,
    pattern?: RegExp,
  ): string | undefined => {
    if (!present(field)) {
      if (required) fail(field, 'INVALID', 'is required');
      return undefined;
    }
    const value = row[field];
    let problem: string | undefined;
    if (typeof value !== 'string') problem = 'must be a string';
    else if (value.length < min || value.length > max) {
      problem = `must be ${min} to ${max} characters`;
    } else if (pattern && !pattern.test(value)) problem = 'is not well-formed';
    if (problem) {
      fail(field, 'INVALID', problem);
      return undefined;
    }
    return value as string;
  };

  for (const field of Object.keys(row)) {
    if (!(ARRIVAL_FIELDS as readonly string[]).includes(field)) {
      fail(field, 'UNKNOWN_FIELD', 'is not a field of an arrival');
    }
  }

  let idNumber = text('idNumber', true, 1, 64);
  if (idNumber !== undefined) {
    idNumber = normalizeResidentId(idNumber);
    const problem = residentIdProblem(idNumber);
    if (problem) {
      fail('idNumber', problem.code, problem.detail);
      idNumber = undefined;
    }
  }
  const personText = (field: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const normalized = normalizePersonText(value);
    const problem = personTextProblem(normalized);
    if (!problem) return normalized;
    fail(field, problem.code, `${field} ${problem.detail}`);
    return undefined;
  };
  const name = personText('name', text('name', true, 1, 50));
  const phone = text('phone', false, 5, 20, PHONE);
  const address = personText('address', text('address', true, 1, 200));

  const arrivedOn = text('arrivedOn', true, 10, 10);
  if (arrivedOn !== undefined) {
    if (!isCalendarDate(arrivedOn)) fail('arrivedOn', 'INVALID', 'must be a date (YYYY-MM-DD)');
    else if (arrivedOn > context.today) fail('arrivedOn', 'DATE_IN_FUTURE', 'is in the future');
  }

  let householdDivision = text('householdDivision', false, 6, 6, DIVISION);
  if (!present('householdDivision') && idNumber) householdDivision = idNumber.slice(0, 6);
  let outflowNode = text('outflowNode', false, 6, 6, DIVISION);
  if (!present('outflowNode') && householdDivision) outflowNode = outflowNodeOf(householdDivision);
  if (outflowNode === context.me) {
    fail(
      'outflowNode',
      'OUTFLOW_IS_THIS_NODE',
      'is this node: the household registration is here, the person is not a migrant to it',
    );
  }

  const residencePermitNumber = text('residencePermitNumber', false, 1, 40);
  let maritalStatus: MaritalStatus | undefined;
  if (!present('maritalStatus')) fail('maritalStatus', 'INVALID', 'is required');
  else if (!(MARITAL_STATUSES as readonly unknown[]).includes(row.maritalStatus)) {
    fail('maritalStatus', 'INVALID', `must be one of ${MARITAL_STATUSES.join(', ')}`);
  } else maritalStatus = row.maritalStatus as MaritalStatus;

  const children = count(row.children);
  if (present('children') && children === undefined) {
    fail('children', 'INVALID', 'must be a whole number from 0 to 20');
  }

  const agreementId = text('agreementId', false, 36, 36);
  if (agreementId !== undefined && !isUUID(agreementId)) {
    fail('agreementId', 'INVALID', 'must be a UUID');
  }
  const campaignId = text('campaignId', false, 1, 64);

  if (errors.length > 0) return { errors };
  return {
    arrival: {
      person: {
        idNumber: idNumber as string,
        name: name as string,
        ...(phone === undefined ? {} : { phone }),
        address: address as string,
      },
      arrivedOn: arrivedOn as string,
      householdDivision: householdDivision as string,
      outflowNode: outflowNode as string,
      ...(residencePermitNumber === undefined ? {} : { residencePermitNumber }),
      maritalStatus: maritalStatus as MaritalStatus,
      ...(children === undefined ? {} : { children }),
      ...(agreementId === undefined ? {} : { agreementId }),
      ...(campaignId === undefined ? {} : { campaignId }),
    },
  };
}

function count(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,2}$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 20 ? n : undefined;
}

/**
 * The problem code of a list of findings, as the API's validation problems
 * choose it: one specific code shared by all findings is the problem's code,
 * anything else is VALIDATION_FAILED.
 */
export function problemCode(errors: FieldError[]): string {
  const codes = new Set(errors.map((e) => e.code));
  const [only] = codes;
  return codes.size === 1 && only !== 'INVALID' ? only : 'VALIDATION_FAILED';
}

/**
 * The node of a household registration: its prefecture-level division (the
 * county code with the last two digits 00). Nodes are prefecture offices;
 * where a county runs its own node, staff name it in `outflowNode`.
 */
export function outflowNodeOf(householdDivision: string): string {
  if (!isNodeCode(householdDivision)) throw new RangeError('not a 6-digit division code');
  return `${householdDivision.slice(0, 4)}00`;
}

/** Today's date in China Standard Time (UTC+8, no daylight saving): the date staff write. */
export function chinaToday(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

// ---- records and their statuses ---------------------------------------------

/**
 * Which side of a person's migration a record is on, seen from this node:
 * `inflow` — we registered the arrival (the person lives here);
 * `outflow` — our registered resident, living at a partner (the partner told us);
 * `expected` — a partner told us the person left for here.
 */
export type MigrantSide = 'inflow' | 'outflow' | 'expected';

export type MigrantStatus =
  | 'registered' // inflow: lives here
  | 'living-elsewhere' // outflow: lives at the inflow node
  | 'departed' // inflow or outflow: left the inflow place
  | 'expected' // expected: announced, not arrived yet
  | 'arrived'; // expected: registered here since (see the arrival record)

export const MIGRANT_STATUSES: readonly MigrantStatus[] = [
  'registered',
  'living-elsewhere',
  'departed',
  'expected',
  'arrived',
];

export type MigrantEvent =
  /** staff record the departure at the inflow node */
  | 'depart'
  /** the inflow node's departure reaches the outflow node */
  | 'departure-received'
  /** staff change circumstances, to be told to the other side */
  | 'update'
  /** the expected person's arrival is registered */
  | 'arrive';

export interface TransitionProblem {
  code: 'MIGRANT_ALREADY_DEPARTED' | 'MIGRANT_NOT_ACTIVE' | 'MIGRANT_WRONG_SIDE';
  detail: string;
}

const TRANSITIONS: Record<
  MigrantEvent,
  { side: MigrantSide; from: MigrantStatus[]; to: MigrantStatus }[]
> = {
  depart: [{ side: 'inflow', from: ['registered'], to: 'departed' }],
  'departure-received': [{ side: 'outflow', from: ['living-elsewhere'], to: 'departed' }],
  update: [
    { side: 'inflow', from: ['registered'], to: 'registered' },
    { side: 'outflow', from: ['living-elsewhere'], to: 'living-elsewhere' },
  ],
  arrive: [{ side: 'expected', from: ['expected'], to: 'arrived' }],
};

/** The status a record moves to on `event`, or why it cannot. */
export function transition(
  record: { side: MigrantSide; status: MigrantStatus },
  event: MigrantEvent,
): { status: MigrantStatus } | { problem: TransitionProblem } {
  const rules = TRANSITIONS[event];
  const rule = rules.find((r) => r.side === record.side);
  if (!rule) {
    return {
      problem: {
        code: 'MIGRANT_WRONG_SIDE',
        detail: `a ${record.side} record cannot take a ${event} (only ${rules.map((r) => r.side).join(' or ')} records)`,
      },
    };
  }
  if (rule.from.includes(record.status)) return { status: rule.to };
  if (record.status === 'departed' && (event === 'depart' || event === 'departure-received')) {
    return {
      problem: { code: 'MIGRANT_ALREADY_DEPARTED', detail: 'the departure is already recorded' },
    };
  }
  return { problem: { code: 'MIGRANT_NOT_ACTIVE', detail: `the record is ${record.status}` } };
}

/** A departure date must lie between the arrival and today. */
export function departureDateProblem(
  leftOn: string,
  arrivedOn: string | null,
  today: string,
): { code: 'DATE_IN_FUTURE' | 'DEPARTURE_BEFORE_ARRIVAL'; detail: string } | undefined {
  if (leftOn > today) return { code: 'DATE_IN_FUTURE', detail: 'leftOn is in the future' };
  if (arrivedOn && leftOn < arrivedOn) {
    return {
      code: 'DEPARTURE_BEFORE_ARRIVAL',
      detail: `leftOn is before the arrival (${arrivedOn})`,
    };
  }
  return undefined;
}

/** The circumstances a record holds, of which `migrant.updated` carries the changed ones. */
export type UpdatableValues = Partial<Record<MigrantUpdatableField, string | number>>;

/** The fields of `patch` whose values differ from `current`, in catalogue order. */
export function changedFields(
  current: UpdatableValues,
  patch: UpdatableValues,
): MigrantUpdatableField[] {
  return MIGRANT_UPDATABLE_FIELDS.filter(
    (field) => patch[field] !== undefined && patch[field] !== current[field],
  );
}
