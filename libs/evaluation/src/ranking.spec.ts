import { rankCampaign } from './campaign';
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

/** A pair score as scorePair reports it; only score and items matter for the ranking. */
function gave(evaluator: string, evaluated: string, score: number | 'n/a', items = 1): PairScore {
  return {
    evaluator,
    evaluated,
    period,
    asOf,
    score,
    items,
    indicators: { R: none, V: none, T: none, Q: none, S: none },
  };
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
      { node: P1, rank: 1, score: 90, items: 1, scoredBy: [P2] },
      { node: P2, rank: 2, score: 75, items: 2, scoredBy: [P1, P3] },
      { node: P3, rank: 3, score: 60.5, items: 1, scoredBy: [P1] },
    ]);
  });

  it('rounds the mean half-up to 2 decimals', () => {
    // (80.01 + 80.00) / 2 = 80.005 → 80.01; (33.33 + 33.33 + 33.34) / 3 = 33.333… → 33.33
    const ranking = rankCampaign(
      [P1, P2, P3, P4],
      [
        gave(P2, P1, 80.01),
        gave(P3, P1, 80),
        gave(P1, P2, 33.33),
        gave(P3, P2, 33.33),
        gave(P4, P2, 33.34),
      ],
    );
    expect(ranking.map((s) => [s.node, s.score])).toEqual([
      [P1, 80.01],
      [P2, 33.33],
      [P3, 'n/a'],
      [P4, 'n/a'],
    ]);
  });

  it('breaks ties on the rounded mean by more counted items, then by the lower node code', () => {
    const ranking = rankCampaign(
      [P1, P2, P3, P4],
      [
        gave(P2, P1, 80, 10), // P1: 80 with 10 items
        gave(P1, P2, 80, 12), // P2: 80 with 12 items
        gave(P1, P3, 80, 5), // P3: 80 with 5 + 7 = 12 items, higher code than P2
        gave(P2, P3, 80, 7),
        gave(P1, P4, 80.01, 1), // P4: (80.01 + 80) / 2 = 80.005 → 80.01 with 2 items…
        gave(P2, P4, 80, 1),
      ],
    );

    expect(ranking.map((s) => [s.node, s.rank, s.score, s.items])).toEqual([
      [P4, 1, 80.01, 2], // …ahead on the published mean, whatever its items
      [P2, 2, 80, 12],
      [P3, 3, 80, 12],
      [P1, 4, 80, 10],
    ]);
  });

  it('treats means that round alike as a tie', () => {
    // P1: (80.01 + 80.00) / 2 = 80.005 → 80.01, 2 items; P2: 80.01, 5 items
    const ranking = rankCampaign(
      [P1, P2, P3],
      [gave(P2, P1, 80.01), gave(P3, P1, 80), gave(P1, P2, 80.01, 5)],
    );
    expect(ranking.map((s) => [s.node, s.rank, s.score])).toEqual([
      [P2, 1, 80.01],
      [P1, 2, 80.01],
      [P3, 3, 'n/a'],
    ]);
  });

  it('puts participants without a score last, sharing one rank, in code order', () => {
    const ranking = rankCampaign([P4, P3, P2, P1], [gave(P1, P2, 50), gave(P2, P4, 'n/a', 0)]);

    expect(ranking).toEqual([
      { node: P2, rank: 1, score: 50, items: 1, scoredBy: [P1] },
      { node: P1, rank: 2, score: 'n/a', items: 0, scoredBy: [] },
      { node: P3, rank: 2, score: 'n/a', items: 0, scoredBy: [] },
      { node: P4, rank: 2, score: 'n/a', items: 0, scoredBy: [] },
    ]);
  });

  it('ignores scores given by or to nodes outside the campaign, and self-scores', () => {
    const ranking = rankCampaign(
      [P1, P2],
      [gave(OUTSIDER, P1, 100), gave(P2, P1, 40), gave(P1, OUTSIDER, 0), gave(P1, P1, 100)],
    );
    expect(ranking).toEqual([
      { node: P1, rank: 1, score: 40, items: 1, scoredBy: [P2] },
      { node: P2, rank: 2, score: 'n/a', items: 0, scoredBy: [] },
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
