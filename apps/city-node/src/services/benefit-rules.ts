import { ScopeDomain, ServiceType } from '@yipanqi/contracts';
import { RuleProblem, ruleProblem } from './rule-problem';

/**
 * A benefit entitlement (benefit.entitlement, outflow → inflow) is `open`
 * until a benefit-payment service delivers it, then `delivered`.
 */
export type EntitlementState = 'open' | 'delivered';

export interface EntitlementFacts {
  domain: ScopeDomain;
  /** blind index of the entitled person's ID number (this node's key) */
  personIndex: string;
  /** the service that delivers it, once there is one */
  serviceId: string | null;
  /**
   * Where that service report stands at the paying (inflow) node: a report
   * the outflow node rejected delivered nothing, so the entitlement is open
   * again. At the outflow node the service was received and this is null.
   */
  serviceDelivery: 'pending' | 'sent' | 'receipt' | 'rejection' | null;
}

export function entitlementState(
  e: Pick<EntitlementFacts, 'serviceId' | 'serviceDelivery'>,
): EntitlementState {
  return e.serviceId !== null && e.serviceDelivery !== 'rejection' ? 'delivered' : 'open';
}

/** The parties of the agreement a message travels under. */
export interface Parties {
  inflow: string;
  outflow: string;
}

/** Only the outflow node grants entitlements; the inflow node pays them. */
export function grantProblem(
  parties: Parties,
  me: string,
  agreementId: string,
): RuleProblem | undefined {
  if (parties.outflow === me) return undefined;
  return ruleProblem(
    422,
    'NOT_OUTFLOW_NODE',
    `benefit entitlements go from the outflow node to the inflow node; under agreement ${agreementId} ${me} is the inflow node`,
  );
}

/** What a received benefit.entitlement must satisfy besides its schema; a detail for the rejection. */
export function receivedEntitlementRefusal(
  message: { from: string; correlationId: string | null },
  parties: Parties,
  alreadyKnown: boolean,
): string | undefined {
  if (parties.outflow !== message.from) {
    return `benefit entitlements come from the outflow node; ${message.from} is the inflow node of this agreement`;
  }
  if (!message.correlationId) return 'the correlationId of a benefit entitlement is its id';
  if (alreadyKnown) return `entitlement ${message.correlationId} was already received`;
  return undefined;
}

/**
 * Whether a service can deliver the entitlement it names: at the paying node
 * when staff report it, at the granting node when the report arrives. The
 * entitlement is looked up among those exchanged with the same partner in the
 * right direction, so `undefined` also covers someone else's entitlement.
 */
export function fulfilmentProblem(
  service: { serviceType: ServiceType; domain: ScopeDomain; personIndex: string | null },
  entitlementId: string,
  entitlement: EntitlementFacts | undefined,
): RuleProblem | undefined {
  if (!entitlement) {
    return ruleProblem(
      422,
      'UNKNOWN_ENTITLEMENT',
      `no entitlement ${entitlementId} between these two nodes in that direction`,
    );
  }
  if (entitlementState(entitlement) === 'delivered') {
    return ruleProblem(
      409,
      'ENTITLEMENT_ALREADY_DELIVERED',
      `entitlement ${entitlementId} is delivered by service ${entitlement.serviceId}`,
    );
  }
  const mismatch = (detail: string) => ruleProblem(422, 'ENTITLEMENT_MISMATCH', detail);
  if (service.serviceType !== 'benefit-payment') {
    return mismatch('an entitlement is delivered by a benefit-payment service');
  }
  if (service.domain !== entitlement.domain) {
    return mismatch(`the entitlement is under ${entitlement.domain}, not ${service.domain}`);
  }
  if (service.personIndex !== null && service.personIndex !== entitlement.personIndex) {
    return mismatch('the person is not the one the entitlement names');
  }
  return undefined;
}
