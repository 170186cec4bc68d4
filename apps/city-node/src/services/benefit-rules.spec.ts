import {
  EntitlementFacts,
  entitlementState,
  fulfilmentProblem,
  grantProblem,
  receivedEntitlementRefusal,
} from './benefit-rules';
import { chinaDay } from './rule-problem';

const HUIZHOU = '441300';
const YIBIN = '511500';
const AGREEMENT = '0192f3c4-0000-7000-8000-00000000000a';
const ENTITLEMENT = '0192f3c4-0000-7000-8000-000000000002';
const SERVICE = '0192f3c4-0000-7000-8000-000000000001';
const parties = { inflow: HUIZHOU, outflow: YIBIN };

const open: EntitlementFacts = {
  domain: 'contraception',
  personIndex: 'idx-a',
  serviceId: null,
  serviceDelivery: null,
};

describe('entitlement state', () => {
  it('is open until a service delivers it', () => {
    expect(entitlementState(open)).toBe('open');
    expect(entitlementState({ serviceId: SERVICE, serviceDelivery: null })).toBe('delivered');
    for (const state of ['pending', 'sent', 'receipt'] as const) {
      expect(entitlementState({ serviceId: SERVICE, serviceDelivery: state })).toBe('delivered');
    }
  });

  it('is open again when the grantor rejected the paying report', () => {
    expect(entitlementState({ serviceId: SERVICE, serviceDelivery: 'rejection' })).toBe('open');
  });
});

describe('who grants', () => {
  it('is the outflow node of the agreement', () => {
    expect(grantProblem(parties, YIBIN, AGREEMENT)).toBeUndefined();
    expect(grantProblem(parties, HUIZHOU, AGREEMENT)).toMatchObject({
      status: 422,
      code: 'NOT_OUTFLOW_NODE',
    });
  });

  it('refuses a received entitlement from the inflow node, without an id, or twice', () => {
    const message = { from: YIBIN, correlationId: ENTITLEMENT };
    expect(receivedEntitlementRefusal(message, parties, false)).toBeUndefined();
    expect(receivedEntitlementRefusal({ ...message, from: HUIZHOU }, parties, false)).toMatch(
      /outflow node/,
    );
    expect(receivedEntitlementRefusal({ ...message, correlationId: null }, parties, false)).toMatch(
      /correlationId/,
    );
    expect(receivedEntitlementRefusal(message, parties, true)).toMatch(/already received/);
  });
});

describe('paying an entitlement', () => {
  const payment = {
    serviceType: 'benefit-payment' as const,
    domain: 'contraception' as const,
    personIndex: 'idx-a',
  };

  it('takes an open entitlement, a benefit payment, its domain and its person', () => {
    expect(fulfilmentProblem(payment, ENTITLEMENT, open)).toBeUndefined();
    expect(fulfilmentProblem({ ...payment, personIndex: null }, ENTITLEMENT, open)).toBeUndefined();
  });

  it('needs an entitlement between the two nodes', () => {
    expect(fulfilmentProblem(payment, ENTITLEMENT, undefined)).toMatchObject({
      status: 422,
      code: 'UNKNOWN_ENTITLEMENT',
    });
  });

  it('happens once, unless the paying report was rejected', () => {
    expect(
      fulfilmentProblem(payment, ENTITLEMENT, {
        ...open,
        serviceId: SERVICE,
        serviceDelivery: 'receipt',
      }),
    ).toMatchObject({ status: 409, code: 'ENTITLEMENT_ALREADY_DELIVERED' });
    expect(
      fulfilmentProblem(payment, ENTITLEMENT, {
        ...open,
        serviceId: SERVICE,
        serviceDelivery: 'rejection',
      }),
    ).toBeUndefined();
  });

  it.each([
    ['another service type', { serviceType: 'maternal-care' as const }, /benefit-payment/],
    ['another domain', { domain: 'publicity' as const }, /under contraception/],
    ['another person', { personIndex: 'idx-b' }, /person/],
  ])('refuses %s', (_what, change, detail) => {
    const problem = fulfilmentProblem({ ...payment, ...change }, ENTITLEMENT, open);
    expect(problem).toMatchObject({ status: 422, code: 'ENTITLEMENT_MISMATCH' });
    expect(problem?.detail).toMatch(detail);
  });
});

describe('the China Standard Time day', () => {
  it('starts at 16:00 UTC of the day before', () => {
    expect(chinaDay(Date.parse('2026-03-09T15:59:59Z'))).toBe('2026-03-09');
    expect(chinaDay(Date.parse('2026-03-09T16:00:00Z'))).toBe('2026-03-10');
  });
});
