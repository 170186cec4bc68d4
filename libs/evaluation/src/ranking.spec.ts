import { rankCampaign } from './campaign';
import { ratio, roundHalfUp2 } from './ratio';
import { IndicatorScore, PairScore } from './score-pair';

const P1 = '440300'; // 深圳市
const P2 = '441300'; // 惠州市
const P3 = '511500'; // 宜宾市
const P4 = '520100'; // 贵阳市
const OUTSIDER = '440100'; // 广州市, not in the campaign
const period = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) };
const asOf = Date.UTC(2026, 4, 1);

const none: IndicatorScore = {
  weight: 0,
  items: 0,
  numerator: 0,
  denominator: 0,
  numeratorIds: [],
  denominatorIds: [],
  pendingIds: [],
  x: 'n/a',
};

/**
 * A pair score whose exact value is 100 × numerator / denominator, from its
 * R alone (weight 1); score is that rounded, as scorePair reports it.
 */
function gaveExactly(
  evaluator: string,
  evaluated: string,
  numerator: number,
  denominator: number,
  items = 1,
): PairScore {
  const R = { ...none, weight: 1, items, numerator, denominator, x: numerator / denominator };
  return {
    evaluator,
    evaluated,
    period,
    asOf,
    score: roundHalfUp2(ratio(100 * numerator, denominator)),
    items,
    indicators: { R, V: none, T: none, Q: none, S: none },
  };
}

/** A pair score of exactly `score` (up to 4 decimals), or one without counted items. */
function gave(evaluator: string, evaluated: string, score: number | 'n/a', items = 1): PairScore {
  if (score === 'n/a') {
    return {
      ...gaveExactly(evaluator, evaluated, 0, 1, 0),
      score,
      indicators: { R: none, V: none, T: none, Q: none, S: none },
    };
  }
  return gaveExactly(evaluator, evaluated, Math.round(score * 10_000), 1_000_000, items);
}

describe('rankCampaign', () => {
  it('ranks by the mean of the scores partners gave, leaving n/a scores out', () => {
    const ranking = rankCampaign(
      [P1, P2, P3],
      [
        gave(P2, P1, 90), // P1: 90 (P3's n/a left out, not a 0)
        gave(P3, P1, 'n/a', 0),
        gave(P1, P2, 70), // P2: (70 + 80) / 2 = 75
        gave(P3, P2, 80),
        gave(P1, P3, 60.5), // P3: 60.5
        gave(P2, P3, 'n/a', 0),
      ],
    );

    expect(ranking).toEqual([
      { node: P1, rank: 1, score: 90, exactScore: '90/1', items: 1, scoredBy: [P2] },
      { node: P2, rank: 2, score: 75, exactScore: '75/1', items: 2, scoredBy: [P1, P3] },
      { node: P3, rank: 3, score: 60.5, exactScore: '121/2', items: 1, scoredBy: [P1] },
    ]);
  });

  it('means the exact pair scores, and rounds half-up to 2 decimals only for display', () => {
    // P1: 100 × 2/3 = 200/3 → 66.67 however its pair score is displayed
    // P2: (80.01 + 80.00) / 2 = 80.005 → 80.01
    // P3: (100/3 + 100/3 + 100/3) / 3 = 100/3 → 33.33, not the mean of three 33.33s
    const ranking = rankCampaign(
      [P1, P2, P3, P4],
      [
        gaveExactly(P2, P1, 2, 3),
        gave(P1, P2, 80.01),
        gave(P3, P2, 80),
        gaveExactly(P1, P3, 1, 3),
        gaveExactly(P2, P3, 1, 3),
        gaveExactly(P4, P3, 1, 3),
      ],
    );
    expect(ranking.map((s) => [s.node, s.score, s.exactScore])).toEqual([
      [P2, 80.01, '16001/200'],
      [P1, 66.67, '200/3'],
      [P3, 33.33, '100/3'],
      [P4, 'n/a', null],
    ]);
  });

  it('ranks by the exact mean where the rounded means tie', () => {
    // both show 80.00; P2 would win a tie on rounded means with more items
    const ranking = rankCampaign([P1, P2, P3], [gave(P3, P1, 80.004, 1), gave(P3, P2, 79.996, 5)]);
    expect(ranking.map((s) => [s.node, s.rank, s.score, s.exactScore])).toEqual([
      [P1, 1, 80, '20001/250'],
      [P2, 2, 80, '19999/250'],
      [P3, 3, 'n/a', null],
    ]);
  });

  it('ranks by the exact mean where the mean of rounded scores orders the other way', () => {
    // P1: 80.005 and 80.005, shown 80.01 each: exact mean 80.005
    // P2: 80.0149, 80.0049 and 80.0049, shown 80.01, 80.00 and 80.00 (mean 80.00): exact 80.00823…
    const ranking = rankCampaign(
      [P1, P2, P3, P4],
      [
        gave(P3, P1, 80.005),
        gave(P4, P1, 80.005),
        gave(P1, P2, 80.0149),
        gave(P3, P2, 80.0049),
        gave(P4, P2, 80.0049),
      ],
    );
    expect(ranking.map((s) => [s.node, s.rank, s.score, s.exactScore])).toEqual([
      [P2, 1, 80.01, '2400247/30000'],
      [P1, 2, 80.01, '16001/200'],
      [P3, 3, 'n/a', null],
      [P4, 3, 'n/a', null],
    ]);
  });

  it('breaks ties on the exact mean by more counted items, then by the lower node code', () => {
    const ranking = rankCampaign(
      [P1, P2, P3, P4],
      [
        gave(P2, P1, 80, 10), // P1: 80 with 10 items
        gave(P1, P2, 80, 12), // P2: 80 with 12 items
        gave(P1, P3, 80, 5), // P3: (80 + 80) / 2 = 80 with 5 + 7 = 12 items, higher code than P2
        gave(P2, P3, 80, 7),
        gave(P1, P4, 80.0001, 1), // P4: 80.00005, shown 80.00, with 2 items…
        gave(P2, P4, 80, 1),
      ],
    );

    expect(ranking.map((s) => [s.node, s.rank, s.score, s.items])).toEqual([
      [P4, 1, 80, 2], // …ahead on the exact mean, whatever its items
      [P2, 2, 80, 12],
      [P3, 3, 80, 12],
      [P1, 4, 80, 10],
    ]);
  });

  it('puts participants without a score last, sharing one rank, in code order', () => {
    const ranking = rankCampaign([P4, P3, P2, P1], [gave(P1, P2, 50), gave(P2, P4, 'n/a', 0)]);

    expect(ranking).toEqual([
      { node: P2, rank: 1, score: 50, exactScore: '50/1', items: 1, scoredBy: [P1] },
      { node: P1, rank: 2, score: 'n/a', exactScore: null, items: 0, scoredBy: [] },
      { node: P3, rank: 2, score: 'n/a', exactScore: null, items: 0, scoredBy: [] },
      { node: P4, rank: 2, score: 'n/a', exactScore: null, items: 0, scoredBy: [] },
    ]);
  });

  it('ignores scores given by or to nodes outside the campaign, and self-scores', () => {
    const ranking = rankCampaign(
      [P1, P2],
      [gave(OUTSIDER, P1, 100), gave(P2, P1, 40), gave(P1, OUTSIDER, 0), gave(P1, P1, 100)],
    );
    expect(ranking).toEqual([
      { node: P1, rank: 1, score: 40, exactScore: '40/1', items: 1, scoredBy: [P2] },
      { node: P2, rank: 2, score: 'n/a', exactScore: null, items: 0, scoredBy: [] },
    ]);
  });

  it('refuses a participant listed twice, two scores for one pair, and mixed periods', () => {
    expect(() => rankCampaign([P1, P1], [])).toThrow(/twice/);
    expect(() => rankCampaign([P1, P2], [gave(P1, P2, 50), gave(P1, P2, 60)])).toThrow(
      /two scores/,
    );
    const otherPeriod = { ...gave(P2, P1, 50), period: { ...period, end: period.end + 1 } };
    expect(() => rankCampaign([P1, P2], [gave(P1, P2, 50), otherPeriod])).toThrow(/periods/);
  });
});
