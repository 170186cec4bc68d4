import { residentIdCheckChar, validateDto } from '@yipanqi/contracts';
import { PeopleGenerator } from '../../../../tests/support/synthetic-people';
import {
  ArrivalFieldCode,
  changedFields,
  chinaToday,
  departureDateProblem,
  MigrantSide,
  MigrantStatus,
  outflowNodeOf,
  problemCode,
  transition,
  validateArrivalRow,
} from './migrant-rules';
import { RegisterArrivalDto } from './migrant.dto';

const HUIZHOU = '441300';
const context = { me: HUIZHOU, today: '2026-03-01' };
const people = new PeopleGenerator(511500);

function row(over: Record<string, unknown> = {}): Record<string, unknown> {
  const p = people.person('511500');
  return {
    idNumber: p.idNumber,
    name: p.name,
    phone: p.phone,
    address: p.address,
    arrivedOn: '2026-02-01',
    maritalStatus: 'married',
    ...over,
  };
}

function codes(raw: Record<string, unknown>): Record<string, ArrivalFieldCode> {
  const checked = validateArrivalRow(raw, context);
  return Object.fromEntries((checked.errors ?? []).map((e) => [e.field, e.code]));
}

describe('outflow node of a household registration', () => {
  it('is the prefecture of the county', () => {
    expect(outflowNodeOf('511502')).toBe('511500');
    expect(outflowNodeOf('441302')).toBe('441300');
    expect(outflowNodeOf('511500')).toBe('511500');
  });

  it('refuses what is not a division code', () => {
    expect(() => outflowNodeOf('51150')).toThrow(RangeError);
    expect(() => outflowNodeOf('011500')).toThrow(RangeError);
  });
});

describe('an arrival row', () => {
  it('takes an ID number typed with a lower-case x or full-width digits as the same number', () => {
    let person = people.person('511500');
    while (!person.idNumber.endsWith('X')) person = people.person('511500');
    const fullWidth = person.idNumber
      .slice(0, 17)
      .replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    for (const typed of [person.idNumber.toLowerCase(), `${fullWidth}ｘ`]) {
      expect(validateDto(RegisterArrivalDto, row({ idNumber: typed }))).toEqual([]);
      const checked = validateArrivalRow(row({ idNumber: typed }), context);
      expect(checked.errors).toBeUndefined();
      expect(checked.arrival?.person.idNumber).toBe(person.idNumber);
    }
  });

  it('refuses names and addresses with hidden characters, the same in the API and the CSV', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: '张\u202E伟' }, 'name', 'TEXT_BIDI_OVERRIDE'],
      [{ name: '\u200B \u3000' }, 'name', 'TEXT_BLANK'],
      [{ address: '翠屏区\u0000' }, 'address', 'TEXT_CONTROL_CHARACTER'],
      [{ address: '翠屏区\uD800' }, 'address', 'TEXT_LONE_SURROGATE'],
    ];
    for (const [over, field, code] of cases) {
      expect(codes(row(over))).toEqual({ [field]: code });
      expect(validateDto(RegisterArrivalDto, row(over)).join()).toMatch(new RegExp(field));
    }
  });

  it('stores names in NFC whichever form they were typed in', () => {
    const checked = validateArrivalRow(row({ name: 'Zoe\u0308' }), context);
    expect(checked.arrival?.person.name).toBe('Zoë');
  });

  it('says when an ID number has no GB/T 2260 province, instead of failing on it', () => {
    // well-formed, with a correct check character: only the address code is wrong
    for (const first17 of ['01010519491231002', '99010519491231002']) {
      const idNumber = first17 + residentIdCheckChar(first17);
      expect(codes(row({ idNumber }))).toMatchObject({ idNumber: 'ID_NUMBER_REGION' });
    }
  });

  it('takes the household division from the ID number and the outflow node from that', () => {
    const raw = row();
    const checked = validateArrivalRow(raw, context);
    expect(checked.errors).toBeUndefined();
    expect(checked.arrival).toMatchObject({
      person: { idNumber: raw.idNumber, name: raw.name, phone: raw.phone, address: raw.address },
      householdDivision: String(raw.idNumber).slice(0, 6),
      outflowNode: '511500',
      maritalStatus: 'married',
    });
  });

  it('lets staff name the household division and the outflow node', () => {
    const checked = validateArrivalRow(
      row({ householdDivision: '440303', outflowNode: '511500' }),
      context,
    );
    expect(checked.arrival).toMatchObject({ householdDivision: '440303', outflowNode: '511500' });
    expect(
      validateArrivalRow(row({ householdDivision: '440303' }), context).arrival?.outflowNode,
    ).toBe('440300');
  });

  it('reads CSV strings: empty optional fields are absent, children a number', () => {
    const checked = validateArrivalRow(
      row({ phone: '', residencePermitNumber: '', children: '2', campaignId: '' }),
      context,
    );
    expect(checked.arrival?.children).toBe(2);
    expect(checked.arrival).not.toHaveProperty('phone');
    expect(checked.arrival).not.toHaveProperty('residencePermitNumber');
    expect(checked.arrival).not.toHaveProperty('campaignId');
  });

  it.each([
    ['bad check digit', { idNumber: people.badCheckDigit() }, 'idNumber', 'ID_NUMBER_CHECK_DIGIT'],
    [
      'impossible birth date',
      { idNumber: people.impossibleBirthDate() },
      'idNumber',
      'ID_NUMBER_BIRTH_DATE',
    ],
    ['short ID number', { idNumber: '51150219900101' }, 'idNumber', 'ID_NUMBER_FORMAT'],
    ['missing name', { name: '' }, 'name', 'INVALID'],
    ['name of wrong type', { name: 42 }, 'name', 'INVALID'],
    ['missing address', { address: undefined }, 'address', 'INVALID'],
    ['phone with letters', { phone: 'call me' }, 'phone', 'INVALID'],
    ['impossible arrival date', { arrivedOn: '2026-02-30' }, 'arrivedOn', 'INVALID'],
    ['arrival in the future', { arrivedOn: '2026-03-02' }, 'arrivedOn', 'DATE_IN_FUTURE'],
    ['unknown marital status', { maritalStatus: 'complicated' }, 'maritalStatus', 'INVALID'],
    ['too many children', { children: 21 }, 'children', 'INVALID'],
    ['fractional children', { children: 1.5 }, 'children', 'INVALID'],
    ['bad household division', { householdDivision: '5115' }, 'householdDivision', 'INVALID'],
    ['agreement id not a UUID', { agreementId: 'x'.repeat(36) }, 'agreementId', 'INVALID'],
    ['unknown field', { priority: 'high' }, 'priority', 'UNKNOWN_FIELD'],
    [
      'household registered here',
      { householdDivision: '441302' },
      'outflowNode',
      'OUTFLOW_IS_THIS_NODE',
    ],
  ])('refuses %s with a specific code', (_what, over, field, code) => {
    expect(codes(row(over))).toEqual({ [field]: code });
  });

  it('never repeats the ID number it refuses', () => {
    const bad = people.badCheckDigit();
    const checked = validateArrivalRow(row({ idNumber: bad }), context);
    expect(JSON.stringify(checked.errors)).not.toContain(bad);
  });

  it('reports every field at once', () => {
    expect(codes({ arrivedOn: 'soon' })).toEqual({
      idNumber: 'INVALID',
      name: 'INVALID',
      address: 'INVALID',
      arrivedOn: 'INVALID',
      maritalStatus: 'INVALID',
    });
  });

  it('fails where the API body fails: the DTO and the row rule agree', () => {
    const bodies = [
      row(),
      row({ idNumber: people.badCheckDigit() }),
      row({ idNumber: people.impossibleBirthDate() }),
      row({ name: 42 }),
      row({ maritalStatus: 'complicated' }),
      row({ children: -1 }),
      row({ householdDivision: '5115' }),
      row({ priority: 'high' }),
      row({ arrivedOn: '2026-13-01' }),
    ];
    for (const body of bodies) {
      const dtoAccepts = validateDto(RegisterArrivalDto, body).length === 0;
      const ruleAccepts = validateArrivalRow(body, context).errors === undefined;
      expect([JSON.stringify(Object.keys(body)), ruleAccepts]).toEqual([
        JSON.stringify(Object.keys(body)),
        dtoAccepts,
      ]);
    }
  });
});

describe('problem code of findings', () => {
  it('is the one specific code they share, else VALIDATION_FAILED', () => {
    const finding = (code: ArrivalFieldCode) => ({ field: 'f', code, problem: 'p' });
    expect(problemCode([finding('ID_NUMBER_CHECK_DIGIT')])).toBe('ID_NUMBER_CHECK_DIGIT');
    expect(problemCode([finding('UNKNOWN_FIELD'), finding('UNKNOWN_FIELD')])).toBe('UNKNOWN_FIELD');
    expect(problemCode([finding('INVALID')])).toBe('VALIDATION_FAILED');
    expect(problemCode([finding('DATE_IN_FUTURE'), finding('UNKNOWN_FIELD')])).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe("China's date", () => {
  it('turns at midnight China Standard Time, 16:00 UTC', () => {
    expect(chinaToday(Date.parse('2026-03-01T15:59:59Z'))).toBe('2026-03-01');
    expect(chinaToday(Date.parse('2026-03-01T16:00:00Z'))).toBe('2026-03-02');
  });
});

describe('record statuses', () => {
  const record = (side: MigrantSide, status: MigrantStatus) => ({ side, status });

  it('a registered person departs once', () => {
    expect(transition(record('inflow', 'registered'), 'depart')).toEqual({ status: 'departed' });
    expect(transition(record('inflow', 'departed'), 'depart')).toMatchObject({
      problem: { code: 'MIGRANT_ALREADY_DEPARTED' },
    });
  });

  it('only the inflow node records a departure; the outflow node receives it once', () => {
    expect(transition(record('outflow', 'living-elsewhere'), 'depart')).toMatchObject({
      problem: { code: 'MIGRANT_WRONG_SIDE' },
    });
    expect(transition(record('outflow', 'living-elsewhere'), 'departure-received')).toEqual({
      status: 'departed',
    });
    expect(transition(record('outflow', 'departed'), 'departure-received')).toMatchObject({
      problem: { code: 'MIGRANT_ALREADY_DEPARTED' },
    });
  });

  it('either side updates an active record, nobody a closed or expected one', () => {
    expect(transition(record('inflow', 'registered'), 'update')).toEqual({ status: 'registered' });
    expect(transition(record('outflow', 'living-elsewhere'), 'update')).toEqual({
      status: 'living-elsewhere',
    });
    expect(transition(record('inflow', 'departed'), 'update')).toMatchObject({
      problem: { code: 'MIGRANT_NOT_ACTIVE' },
    });
    expect(transition(record('expected', 'expected'), 'update')).toMatchObject({
      problem: { code: 'MIGRANT_WRONG_SIDE' },
    });
  });

  it('an expected person arrives once', () => {
    expect(transition(record('expected', 'expected'), 'arrive')).toEqual({ status: 'arrived' });
    expect(transition(record('expected', 'arrived'), 'arrive')).toMatchObject({
      problem: { code: 'MIGRANT_NOT_ACTIVE' },
    });
  });
});

describe('departure date', () => {
  it('lies between the arrival and today', () => {
    expect(departureDateProblem('2026-02-10', '2026-02-01', '2026-03-01')).toBeUndefined();
    expect(departureDateProblem('2026-02-01', '2026-02-01', '2026-03-01')).toBeUndefined();
    expect(departureDateProblem('2026-01-31', '2026-02-01', '2026-03-01')?.code).toBe(
      'DEPARTURE_BEFORE_ARRIVAL',
    );
    expect(departureDateProblem('2026-03-02', '2026-02-01', '2026-03-01')?.code).toBe(
      'DATE_IN_FUTURE',
    );
  });
});

describe('changed fields', () => {
  it('names the fields whose values differ, in catalogue order', () => {
    expect(
      changedFields(
        { phone: '13800000000', address: 'A', maritalStatus: 'married' },
        { address: 'B', phone: '13800000000', children: 1 },
      ),
    ).toEqual(['address', 'children']);
    expect(changedFields({ address: 'A' }, { address: 'A' })).toEqual([]);
  });
});
