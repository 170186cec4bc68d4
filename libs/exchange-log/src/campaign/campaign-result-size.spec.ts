import { v7 as uuidv7 } from 'uuid';
import { generateNodeKeys } from '@yipanqi/crypto';
import {
  DEFAULT_WEIGHTS,
  IndicatorCode,
  IndicatorScore,
  INDICATORS,
  PairScore,
  rankCampaign,
} from '@yipanqi/evaluation';
import { campaignResult, readCampaignResult, signCampaignResult } from './campaign-result';

const PARTICIPANTS = 300;
/** each participant has agreements with its 5 neighbours on either side of a ring */
const REACH = 5;
/** counted items of one ordered pair with an agreement: 3,000 pairs × 667 ≈ 2,000,000 */
const COUNTED: Record<IndicatorCode, number> = { R: 400, V: 50, T: 40, Q: 176, S: 1 };
const MiB = 1024 * 1024;

const period = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) };
const asOf = Date.UTC(2026, 3, 8);
const codes = Array.from({ length: PARTICIPANTS }, (_, i) => String(110000 + i * 100));

const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

function indicator(code: IndicatorCode, counted: number): IndicatorScore {
  if (counted === 0) {
    const [items, numerator, denominator] = [0, 0, 0];
    const noIds = { numeratorIds: [], denominatorIds: [], pendingIds: [] };
    return { weight: DEFAULT_WEIGHTS[code], items, numerator, denominator, ...noIds, x: 'n/a' };
  }
  if (code === 'S') {
    const [rating] = ids(1);
    const counts = { items: 1, numerator: 12, denominator: 16 };
    return {
      weight: DEFAULT_WEIGHTS.S,
      ...counts,
      numeratorIds: [rating],
      denominatorIds: [rating],
      pendingIds: [],
      x: 12 / 16,
    };
  }
  // about 95 % on time, and a few items still open at as-of
  const denominatorIds = ids(counted);
  const numeratorIds = denominatorIds.slice(0, Math.floor(counted * 0.95));
  return {
    weight: DEFAULT_WEIGHTS[code],
    items: counted,
    numerator: numeratorIds.length,
    denominator: counted,
    numeratorIds,
    denominatorIds,
    pendingIds: ids(2),
    x: numeratorIds.length / counted,
  };
}

function pairScore(evaluator: string, evaluated: string, partners: boolean): PairScore {
  const indicators = {} as Record<IndicatorCode, IndicatorScore>;
  for (const code of INDICATORS) indicators[code] = indicator(code, partners ? COUNTED[code] : 0);
  const items = INDICATORS.reduce((sum, code) => sum + indicators[code].items, 0);
  // the score's exact value does not matter here, only how long it is written
  const score = partners ? 94.87 : 'n/a';
  return { evaluator, evaluated, period, asOf, score, items, indicators };
}

describe('a national campaign result', () => {
  it('of 300 participants and 2,000,000 counted message ids is under 1 MiB signed', () => {
    const pairs: PairScore[] = [];
    for (let e = 0; e < PARTICIPANTS; e++) {
      for (let d = 0; d < PARTICIPANTS; d++) {
        if (e === d) continue;
        const distance = Math.min(
          (e - d + PARTICIPANTS) % PARTICIPANTS,
          (d - e + PARTICIPANTS) % PARTICIPANTS,
        );
        pairs.push(pairScore(codes[e], codes[d], distance <= REACH));
      }
    }
    const counted = pairs.reduce((sum, p) => sum + p.items, 0);
    expect(counted).toBeGreaterThanOrEqual(2_000_000);

    const coordinator = generateNodeKeys();
    const parameters = { participants: codes, period, asOf, weights: null };
    const about = {
      resultId: uuidv7(),
      campaignId: uuidv7(),
      name: '2026 年第一季度全国互评',
      computedAt: asOf,
    };
    const scores = {
      pairs,
      ranking: rankCampaign(codes, pairs),
      rejections: Object.fromEntries(
        codes.map((code) => [code, { justified: 120, unjustified: 3, undecidable: 7 }]),
      ),
    };
    const result = signCampaignResult(
      campaignResult(about, parameters, scores),
      coordinator.signing.privateKey,
    );

    const json = JSON.stringify(result);
    expect(result.pairs).toHaveLength(PARTICIPANTS * 2 * REACH);
    expect(Buffer.byteLength(json, 'utf8')).toBeLessThan(MiB);
    expect(readCampaignResult(JSON.parse(json), coordinator.signing.publicKey)).toEqual(result);
  });
});
