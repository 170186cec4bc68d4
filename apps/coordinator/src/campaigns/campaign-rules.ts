import { utcInstantMs } from '@yipanqi/contracts';
import { INDICATORS, Period, Weights } from '@yipanqi/evaluation';
import { ProblemError } from '@yipanqi/http-api';

export interface CampaignRequest {
  name: string;
  periodStart: string;
  periodEnd: string;
  participants: string[];
  weights?: Weights;
}

/** A campaign as it is stored: instants read, participants sorted. */
export interface CampaignDefinition {
  name: string;
  period: Period;
  participants: string[];
  weights: Weights | null;
}

function refused(code: string, detail: string): ProblemError {
  return new ProblemError(422, code, 'The campaign is refused', detail);
}

/**
 * Checks a campaign request against DESIGN §7 and the directory (`listed`:
 * the node codes it holds). Instants are read strictly (`…Z`), as scoring
 * reads them: a period must not depend on the server's time zone.
 */
export function campaignDefinition(
  request: CampaignRequest,
  listed: ReadonlySet<string>,
): CampaignDefinition {
  const start = utcInstantMs(request.periodStart);
  const end = utcInstantMs(request.periodEnd);
  if (start === undefined || end === undefined) {
    throw refused(
      'PERIOD_INVALID',
      'periodStart and periodEnd must be UTC instants, e.g. 2026-01-01T00:00:00Z',
    );
  }
  if (!(start < end)) throw refused('PERIOD_INVALID', 'periodEnd must be after periodStart');
  const participants = [...request.participants].sort();
  const repeated = participants.filter((code, i) => participants[i - 1] === code);
  if (repeated.length > 0) {
    throw refused(
      'PARTICIPANT_REPEATED',
      `listed more than once: ${[...new Set(repeated)].join(', ')}`,
    );
  }
  if (participants.length < 2) {
    throw refused('TOO_FEW_PARTICIPANTS', 'a campaign ranks at least two participants');
  }
  const unknown = participants.filter((code) => !listed.has(code));
  if (unknown.length > 0) {
    throw refused('UNKNOWN_PARTICIPANT', `not in the directory: ${unknown.join(', ')}`);
  }
  const weights = request.weights ?? null;
  // with every weight 0 no score can be computed: every pair would be n/a
  if (weights && INDICATORS.every((code) => weights[code] === 0)) {
    throw refused('WEIGHTS_ALL_ZERO', 'at least one indicator must weigh more than 0');
  }
  return {
    name: request.name,
    period: { start, end },
    participants,
    weights: weights && { R: weights.R, V: weights.V, T: weights.T, Q: weights.Q, S: weights.S },
  };
}

/**
 * The as-of instant of a computation: at or after the period's end (DESIGN
 * §7), and not after `now` — the log of the future is not written yet, and
 * a result computed early would differ from any later replay.
 */
export function resultAsOf(asOf: string | undefined, period: Period, now: number): number {
  const at = asOf === undefined ? now : utcInstantMs(asOf);
  if (at === undefined) {
    throw refused('AS_OF_INVALID', 'asOf must be a UTC instant, e.g. 2026-04-08T00:00:00Z');
  }
  if (at < period.end) {
    throw refused(
      'AS_OF_BEFORE_PERIOD_END',
      `asOf ${new Date(at).toISOString()} is before the period's end ${new Date(period.end).toISOString()}`,
    );
  }
  if (at > now) {
    throw refused('AS_OF_IN_FUTURE', `asOf ${new Date(at).toISOString()} has not come yet`);
  }
  return at;
}
