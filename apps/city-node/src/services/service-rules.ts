import { GROUP_SERVICE_TYPES, ScopeDomain, ServiceType } from '@yipanqi/contracts';
import { EntitlementFacts, fulfilmentProblem } from './benefit-rules';
import { chinaDay, RuleProblem, ruleProblem } from './rule-problem';

/**
 * A service report (service.delivered) is `delivered` by the node that gave
 * the service on its partner's behalf and `received` by the partner, who
 * acknowledges it (service.acknowledged). Acknowledging is the receiving
 * side's act, once.
 */
export type ServiceDirection = 'delivered' | 'received';

export interface ServiceFacts {
  id: string;
  direction: ServiceDirection;
  domain: ScopeDomain;
  entitlementId: string | null;
  /** the envelope id of the service.delivered message */
  deliveredMessageId: string;
  /** when the acknowledgement was made (received side) or arrived (delivered side) */
  acknowledgedAt: number | null;
  acknowledgementMessageId: string | null;
}

/** The thread of a service: the entitlement it delivers, else the service itself. */
export function serviceThread(s: { id: string; entitlementId: string | null }): string {
  return s.entitlementId ?? s.id;
}

/** Every service but a group session names the person it was given to. */
export function needsPerson(serviceType: ServiceType): boolean {
  return !GROUP_SERVICE_TYPES.includes(serviceType);
}

/**
 * Whether the service counts as acknowledged. On the receiving side an
 * acknowledgement the partner rejected (e.g. the agreement was suspended
 * meanwhile) was never applied there, so staff may acknowledge again.
 */
export function isAcknowledged(
  s: Pick<ServiceFacts, 'direction' | 'acknowledgedAt' | 'acknowledgementMessageId'>,
  acknowledgementDelivery: string | null,
): boolean {
  if (s.direction === 'delivered') return s.acknowledgedAt !== null;
  return s.acknowledgementMessageId !== null && acknowledgementDelivery !== 'rejection';
}

/** Whether staff of this node may acknowledge the service now. */
export function acknowledgeProblem(
  s: ServiceFacts,
  acknowledgementDelivery: string | null,
): RuleProblem | undefined {
  if (s.direction === 'delivered') {
    return ruleProblem(
      422,
      'OWN_SERVICE',
      `this node reported service ${s.id}; the partner acknowledges it`,
    );
  }
  if (isAcknowledged(s, acknowledgementDelivery)) {
    return ruleProblem(
      409,
      'SERVICE_ALREADY_ACKNOWLEDGED',
      `service ${s.id} was acknowledged by ${s.acknowledgementMessageId}`,
    );
  }
  return undefined;
}

/** A service.delivered as the recipient sees it, before it is applied. */
export interface ReceivedService {
  serviceId: string;
  correlationId: string | null;
  serviceType: ServiceType;
  domain: ScopeDomain;
  deliveredOn: string;
  entitlementId?: string;
  /** blind index of the person's ID number, when it names one */
  personIndex: string | null;
  brokerTime: number;
}

/**
 * What a received service report must satisfy besides its schema; a detail
 * for the rejection, or undefined when it can be applied. `entitlement` is
 * the one this node granted the sender under that id, if any.
 */
export function receivedServiceRefusal(
  s: ReceivedService,
  serviceExists: boolean,
  entitlement: EntitlementFacts | undefined,
): string | undefined {
  const thread = serviceThread({ id: s.serviceId, entitlementId: s.entitlementId ?? null });
  if (s.correlationId !== thread) {
    return `the correlationId of a service report is ${s.entitlementId ? 'the entitlement id' : 'its service id'} (${thread})`;
  }
  if (serviceExists) return `service ${s.serviceId} was already reported`;
  if (needsPerson(s.serviceType) && s.personIndex === null) {
    return `a ${s.serviceType} service names the person it was given to`;
  }
  if (s.deliveredOn > chinaDay(s.brokerTime)) {
    return `deliveredOn ${s.deliveredOn} is after the day the report arrived`;
  }
  if (s.entitlementId) {
    return fulfilmentProblem(s, s.entitlementId, entitlement)?.detail;
  }
  return undefined;
}

/**
 * What a received service.acknowledged must satisfy: it answers a report this
 * node sent to the acknowledging node (`service`, looked up by id among
 * those), in that report's thread, once.
 */
export function receivedAcknowledgementRefusal(
  ack: {
    serviceId: string;
    domain: ScopeDomain;
    correlationId: string | null;
    causationId: string | null;
  },
  service: ServiceFacts | undefined,
): string | undefined {
  if (!service) return `no service ${ack.serviceId} was reported to the sender`;
  if (ack.causationId !== service.deliveredMessageId) {
    return `an acknowledgement is caused by the service report ${service.deliveredMessageId}`;
  }
  if (ack.correlationId !== serviceThread(service)) {
    return `an acknowledgement continues the thread ${serviceThread(service)}`;
  }
  if (ack.domain !== service.domain) {
    return `service ${service.id} is under ${service.domain}, not ${ack.domain}`;
  }
  if (service.acknowledgedAt !== null) {
    return `service ${service.id} is already acknowledged`;
  }
  return undefined;
}

/** Staff cannot report a service given on a day that has not come yet (China Standard Time). */
export function deliveredOnProblem(deliveredOn: string, now: number): RuleProblem | undefined {
  return deliveredOn > chinaDay(now)
    ? ruleProblem(422, 'DELIVERED_ON_IN_FUTURE', `deliveredOn ${deliveredOn} has not come yet`)
    : undefined;
}
