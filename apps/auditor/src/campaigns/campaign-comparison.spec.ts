import {
  evidenceDigest,
  publishedIndicator,
  recomputeCampaign,
  VerifiedMessage,
} from '@yipanqi/exchange-log';
import {
  compareCampaignFigures,
  MAX_DIFFERENCE_IDS,
  recomputedCampaign,
} from './campaign-comparison';

const HUIZHOU = '441300';
const YIBIN = '511500';
const START = Date.UTC(2026, 0, 1);
const HOUR = 3600_000;

let n = 0;
function message(over: Partial<VerifiedMessage>): VerifiedMessage {
  n++;
  return {
    id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    type: 'notice',
    v: 1,
    from: HUIZHOU,
    to: YIBIN,
    agreementId: null,
    correlationId: null,
    causationId: null,
    brokerTime: START + n * HOUR,
    payload: {},
    piiForm: 'none',
    ...over,
  };
}

/** Two notices Huizhou → Yibin, one receipted in time, one 30 h late (receipt SLA 24 h). */
function campaign() {
  n = 0; // every call the same log, inside the period
  const first = message({});
  const second = message({});
  const records = [
    first,
    second,
    message({ from: YIBIN, to: HUIZHOU, type: 'receipt', payload: { messageId: first.id } }),
    message({
      from: YIBIN,
      to: HUIZHOU,
      type: 'receipt',
      payload: { messageId: second.id },
      brokerTime: second.brokerTime + 30 * HOUR,
    }),
  ];
  const period = { start: START, end: START + 24 * HOUR };
  const scores = recomputeCampaign(records, {
    participants: [HUIZHOU, YIBIN],
    period,
    asOf: period.end + 48 * HOUR,
    weights: null,
  });
  return { scores, late: second.id };
}

const copy = <T>(value: T): T => structuredClone(value);

/** The result as published, to alter, and the recomputation to compare it with. */
function published() {
  const { scores, late } = campaign();
  const recomputed = recomputedCampaign(scores);
  return { result: copy(recomputed.published), recomputed, scores, late };
}

describe('compareCampaignFigures', () => {
  it('finds nothing between a result and itself', () => {
    const { result, recomputed } = published();
    expect(compareCampaignFigures(result, recomputed)).toEqual([]);
  });

  it('publishes each indicator as its counts and the digest of its ids', () => {
    const { result, scores } = published();
    const R = scores.pairs[0].indicators.R;
    expect(publishedIndicator(result.pairs[0], 'R')).toEqual([
      R.weight,
      2,
      1,
      2,
      0,
      evidenceDigest(R),
    ]);
  });

  it('names the pair, the figure, both values and the recomputed messages behind an altered numerator', () => {
    const { result, recomputed, late } = published();
    publishedIndicator(result.pairs[0], 'R')[2] = 2;
    expect(compareCampaignFigures(result, recomputed)).toEqual([
      {
        subject: `${HUIZHOU}→${YIBIN}`,
        figure: 'R.numerator',
        published: 2,
        recomputed: 1,
        messageIds: expect.arrayContaining([late]),
        messageIdCount: 2,
      },
    ]);
  });

  it('finds other ids behind equal counts by their digest, naming pair and indicator', () => {
    const { result, recomputed, scores, late } = published();
    // the same counts, but another message claimed on time than the log shows
    const R = scores.pairs[0].indicators.R;
    const claimed = { ...R, numeratorIds: [late] };
    publishedIndicator(result.pairs[0], 'R')[5] = evidenceDigest(claimed);
    expect(compareCampaignFigures(result, recomputed)).toEqual([
      {
        subject: `${HUIZHOU}→${YIBIN}`,
        figure: 'R.digest',
        published: evidenceDigest(claimed),
        recomputed: evidenceDigest(R),
        messageIds: [...R.denominatorIds].sort(),
        messageIdCount: 2,
      },
    ]);
  });

  it('lists at most 100 of the ids behind a difference, and says how many there are', () => {
    const { result, recomputed } = published();
    const R = recomputed.scores.pairs[0].indicators.R;
    const many = Array.from(
      { length: 150 },
      (_, i) => `01900000-0000-7000-9000-${String(i).padStart(12, '0')}`,
    );
    R.denominatorIds.push(...many);
    publishedIndicator(result.pairs[0], 'R')[3] = 0;
    const [difference] = compareCampaignFigures(result, recomputed);
    expect(difference).toMatchObject({ figure: 'R.denominator', messageIdCount: 152 });
    expect(difference.messageIds).toHaveLength(MAX_DIFFERENCE_IDS);
    expect(difference.messageIds).toEqual([...difference.messageIds].sort());
  });

  it('compares the ranking: rank, score, exact score, items and scorers of every node', () => {
    const { result, recomputed } = published();
    result.ranking[0].score = 99.99;
    result.ranking[0].exactScore = '9999/100';
    result.ranking[1].scoredBy = [];
    const differences = compareCampaignFigures(result, recomputed);
    expect(differences.map((d) => [d.subject, d.figure])).toEqual([
      [result.ranking[0].node, 'score'],
      [result.ranking[0].node, 'exactScore'],
      [result.ranking[1].node, 'scoredBy'],
    ]);
  });

  it('reports a pair missing on either side, or listed twice', () => {
    const { result, recomputed } = published();
    const [first, second] = result.pairs;
    expect(compareCampaignFigures({ ...result, pairs: [first] }, recomputed)).toEqual([
      expect.objectContaining({ subject: `${YIBIN}→${HUIZHOU}`, figure: 'pair', published: null }),
    ]);
    expect(
      compareCampaignFigures({ ...result, pairs: [first, second, first] }, recomputed),
    ).toEqual([
      expect.objectContaining({ subject: `${HUIZHOU}→${YIBIN}`, published: 'listed twice' }),
    ]);
    const stranger = { ...first, evaluator: '440300' };
    expect(
      compareCampaignFigures({ ...result, pairs: [first, second, stranger] }, recomputed),
    ).toEqual([
      expect.objectContaining({ subject: `440300→${YIBIN}`, recomputed: null, messageIds: [] }),
    ]);
  });
});
