import { EntitlementFacts } from './benefit-rules';
import {
  acknowledgeProblem,
  deliveredOnProblem,
  isAcknowledged,
  needsPerson,
  ReceivedService,
  receivedAcknowledgementRefusal,
  receivedServiceRefusal,
  ServiceFacts,
  serviceThread,
} from './service-rules';

const SERVICE = '0192f3c4-0000-7000-8000-000000000001';
const ENTITLEMENT = '0192f3c4-0000-7000-8000-000000000002';
const REPORT_MESSAGE = '0192f3c4-0000-7000-8000-000000000003';
const ACK_MESSAGE = '0192f3c4-0000-7000-8000-000000000004';
// 2026-03-10 00:30 China Standard Time is still 2026-03-09 in UTC
const ARRIVED = Date.parse('2026-03-09T16:30:00Z');

const received: ServiceFacts = {
  id: SERVICE,
  direction: 'received',
  domain: 'maternal-care',
  entitlementId: null,
  deliveredMessageId: REPORT_MESSAGE,
  acknowledgedAt: null,
  acknowledgementMessageId: null,
};
const delivered: ServiceFacts = { ...received, direction: 'delivered' };

describe('service threads and persons', () => {
  it('threads a service on its entitlement when it pays one, else on itself', () => {
    expect(serviceThread({ id: SERVICE, entitlementId: null })).toBe(SERVICE);
    expect(serviceThread({ id: SERVICE, entitlementId: ENTITLEMENT })).toBe(ENTITLEMENT);
  });

  it('lets only a group session go without a person', () => {
    expect(needsPerson('publicity-session')).toBe(false);
    for (const type of ['maternal-care', 'benefit-payment', 'free-basic', 'other'] as const) {
      expect(needsPerson(type)).toBe(true);
    }
  });
});

describe('acknowledging a service', () => {
  it('is for the side that received the report', () => {
    expect(acknowledgeProblem(received, null)).toBeUndefined();
    expect(acknowledgeProblem(delivered, null)).toMatchObject({ status: 422, code: 'OWN_SERVICE' });
  });

  it('happens once', () => {
    const acknowledged = { ...received, acknowledgedAt: 1, acknowledgementMessageId: ACK_MESSAGE };
    for (const state of [null, 'pending', 'sent', 'receipt']) {
      expect(acknowledgeProblem(acknowledged, state)).toMatchObject({
        status: 409,
        code: 'SERVICE_ALREADY_ACKNOWLEDGED',
      });
    }
  });

  it('may be repeated when the partner rejected the acknowledgement', () => {
    const rejected = { ...received, acknowledgedAt: 1, acknowledgementMessageId: ACK_MESSAGE };
    expect(isAcknowledged(rejected, 'rejection')).toBe(false);
    expect(acknowledgeProblem(rejected, 'rejection')).toBeUndefined();
  });

  it('counts on the delivering side once the acknowledgement arrived', () => {
    expect(isAcknowledged(delivered, null)).toBe(false);
    expect(isAcknowledged({ ...delivered, acknowledgedAt: 5 }, null)).toBe(true);
  });
});

describe('a received service report', () => {
  const report: ReceivedService = {
    serviceId: SERVICE,
    correlationId: SERVICE,
    serviceType: 'maternal-care',
    domain: 'maternal-care',
    deliveredOn: '2026-03-10',
    personIndex: 'idx-a',
    brokerTime: ARRIVED,
  };
  const open: EntitlementFacts = {
    domain: 'maternal-care',
    personIndex: 'idx-a',
    serviceId: null,
    serviceDelivery: null,
  };
  const payment: ReceivedService = {
    ...report,
    serviceType: 'benefit-payment',
    entitlementId: ENTITLEMENT,
    correlationId: ENTITLEMENT,
  };

  it('applies when it is new, names its person and was delivered by the day it arrived (CST)', () => {
    expect(receivedServiceRefusal(report, false, undefined)).toBeUndefined();
  });

  it('is refused on the wrong thread', () => {
    expect(
      receivedServiceRefusal({ ...report, correlationId: ENTITLEMENT }, false, undefined),
    ).toMatch(/correlationId/);
    expect(receivedServiceRefusal({ ...payment, correlationId: SERVICE }, false, open)).toMatch(
      /entitlement id/,
    );
  });

  it('is refused when the service is known already', () => {
    expect(receivedServiceRefusal(report, true, undefined)).toMatch(/already reported/);
  });

  it('is refused without a person unless it is a group session', () => {
    expect(receivedServiceRefusal({ ...report, personIndex: null }, false, undefined)).toMatch(
      /names the person/,
    );
    expect(
      receivedServiceRefusal(
        { ...report, personIndex: null, serviceType: 'publicity-session', domain: 'publicity' },
        false,
        undefined,
      ),
    ).toBeUndefined();
  });

  it('is refused when delivered on a day after it arrived', () => {
    expect(
      receivedServiceRefusal({ ...report, deliveredOn: '2026-03-11' }, false, undefined),
    ).toMatch(/after the day/);
  });

  it('pays an open entitlement this node granted the sender', () => {
    expect(receivedServiceRefusal(payment, false, open)).toBeUndefined();
  });

  it('is refused when it pays an unknown or already delivered entitlement', () => {
    expect(receivedServiceRefusal(payment, false, undefined)).toMatch(/no entitlement/);
    expect(receivedServiceRefusal(payment, false, { ...open, serviceId: SERVICE })).toMatch(
      /delivered by service/,
    );
  });
});

describe('a received acknowledgement', () => {
  const ack = {
    serviceId: SERVICE,
    domain: 'maternal-care' as const,
    correlationId: SERVICE,
    causationId: REPORT_MESSAGE,
  };

  it('applies to a report this node sent, in its thread, once', () => {
    expect(receivedAcknowledgementRefusal(ack, delivered)).toBeUndefined();
  });

  it('is refused for an unknown service', () => {
    expect(receivedAcknowledgementRefusal(ack, undefined)).toMatch(/no service/);
  });

  it('is refused when it is not caused by the report or leaves its thread', () => {
    expect(receivedAcknowledgementRefusal({ ...ack, causationId: ACK_MESSAGE }, delivered)).toMatch(
      /caused by/,
    );
    expect(receivedAcknowledgementRefusal({ ...ack, causationId: null }, delivered)).toMatch(
      /caused by/,
    );
    expect(
      receivedAcknowledgementRefusal({ ...ack, correlationId: ENTITLEMENT }, delivered),
    ).toMatch(/thread/);
  });

  it('is refused under another domain', () => {
    expect(receivedAcknowledgementRefusal({ ...ack, domain: 'publicity' }, delivered)).toMatch(
      /maternal-care/,
    );
  });

  it('is refused the second time', () => {
    expect(receivedAcknowledgementRefusal(ack, { ...delivered, acknowledgedAt: 9 })).toMatch(
      /already acknowledged/,
    );
  });
});

describe('the day a service was delivered', () => {
  it('may be today in China Standard Time but not later', () => {
    expect(deliveredOnProblem('2026-03-10', ARRIVED)).toBeUndefined();
    expect(deliveredOnProblem('2025-12-31', ARRIVED)).toBeUndefined();
    expect(deliveredOnProblem('2026-03-11', ARRIVED)).toMatchObject({
      status: 422,
      code: 'DELIVERED_ON_IN_FUTURE',
    });
  });
});
