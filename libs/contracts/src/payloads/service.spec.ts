import { validateDto } from '../payload-schemas';
import { residentIdCheckChar } from '../resident-id';
import {
  BenefitEntitlementPayloadV1,
  BenefitEntitlementPiiV1,
  ServiceAcknowledgedPiiV1,
  ServiceDeliveredPayloadV1,
  ServiceDeliveredPiiV1,
} from './service';
import { isCalendarDate } from './common';

const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn';
const ID = '0192f3c4-0000-7000-8000-000000000001';
const first17 = '51150219900307123';
const person = { idNumber: first17 + residentIdCheckChar(first17), name: '王芳' };

describe('calendar dates', () => {
  it('accepts days that exist', () => {
    for (const d of ['2026-03-10', '2024-02-29', '1900-01-01'])
      expect(isCalendarDate(d)).toBe(true);
  });

  it('refuses days that do not exist and other shapes', () => {
    for (const d of [
      '2026-02-29',
      '2026-13-01',
      '2026-04-31',
      '1899-12-31',
      '2026-3-1',
      20260310,
    ]) {
      expect(isCalendarDate(d)).toBe(false);
    }
  });
});

describe('service.delivered', () => {
  const payload = {
    serviceId: ID,
    serviceType: 'maternal-care',
    domain: 'maternal-care',
    deliveredOn: '2026-03-10',
    provider: '惠城区妇幼保健院',
    pii: JWE,
  };

  it('accepts a report, with or without an entitlement', () => {
    expect(validateDto(ServiceDeliveredPayloadV1, payload)).toEqual([]);
    expect(validateDto(ServiceDeliveredPayloadV1, { ...payload, entitlementId: ID })).toEqual([]);
  });

  it('names a wrong service type, an impossible day and personal data in the clear', () => {
    const problems = validateDto(ServiceDeliveredPayloadV1, {
      ...payload,
      serviceType: 'massage',
      deliveredOn: '2026-02-30',
      person,
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'deliveredOn',
      'person',
      'serviceType',
    ]);
  });

  it('validates the person inside pii, which may be left out', () => {
    expect(validateDto(ServiceDeliveredPiiV1, { person, details: '产前检查' })).toEqual([]);
    expect(validateDto(ServiceDeliveredPiiV1, {})).toEqual([]);
    const bad = validateDto(ServiceDeliveredPiiV1, {
      person: { ...person, idNumber: first17 + (person.idNumber[17] === '0' ? '1' : '0') },
    });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^person\.idNumber:/);
  });

  it('keeps an acknowledgement remark short', () => {
    expect(validateDto(ServiceAcknowledgedPiiV1, { remark: '已收到' })).toEqual([]);
    expect(validateDto(ServiceAcknowledgedPiiV1, { remark: 'x'.repeat(2001) })).toHaveLength(1);
  });
});

describe('benefit.entitlement', () => {
  const payload = {
    benefit: 'only-child-parents-reward',
    domain: 'contraception',
    amount: '120.00',
    periodFrom: '2026-01-01',
    periodTo: '2026-12-31',
    pii: JWE,
  };

  it('accepts an entitlement', () => {
    expect(validateDto(BenefitEntitlementPayloadV1, payload)).toEqual([]);
    expect(validateDto(BenefitEntitlementPiiV1, { person, note: '奖励决定 2026-17' })).toEqual([]);
  });

  it.each(['0', '0.00', '-5', '12.345', '1e3', '0120', '1000000000'])(
    'refuses the amount %s',
    (amount) => {
      const problems = validateDto(BenefitEntitlementPayloadV1, { ...payload, amount });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^amount:/);
    },
  );

  it('accepts amounts in yuan with up to two decimals', () => {
    for (const amount of ['0.5', '10', '120.00', '999999999.99']) {
      expect(validateDto(BenefitEntitlementPayloadV1, { ...payload, amount })).toEqual([]);
    }
  });

  it('refuses a period that ends before it starts', () => {
    const problems = validateDto(BenefitEntitlementPayloadV1, {
      ...payload,
      periodTo: '2025-12-31',
    });
    expect(problems).toEqual(['periodTo: periodTo must not be before periodFrom']);
  });

  it('needs the person', () => {
    expect(validateDto(BenefitEntitlementPiiV1, {})).not.toEqual([]);
  });
});
