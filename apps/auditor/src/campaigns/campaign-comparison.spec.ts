import { scoreCampaign } from '@yipanqi/evaluation';
import { scoringLog, VerifiedMessage } from '@yipanqi/exchange-log';
import { compareCampaignFigures } from './campaign-comparison';

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
  const scores = scoreCampaign({
    participants: [HUIZHOU, YIBIN],
    period,
    asOf: period.end + 48 * HOUR,
    records: scoringLog(records).records,
  });
  return { scores, late: second.id };
}

const copy = <T>(value: T): T => structuredClone(value);

describe('compareCampaignFigures', () => {
  it('finds nothing between a result and itself', () => {
    const { scores } = campaign();
    expect(compareCampaignFigures(copy(scores), scores)).toEqual([]);
  });

  it('names the pair, the figure, both values and the messages behind an altered numerator', () => {
    const { scores, late } = campaign();
    const published = copy(scores);
    published.pairs[0].indicators.R.numerator = 2;
    expect(compareCampaignFigures(published, scores)).toEqual([
      {
        subject: `${HUIZHOU}→${YIBIN}`,
        figure: 'R.numerator',
        published: 2,
        recomputed: 1,
        messageIds: expect.arrayContaining([late]),
      },
    ]);
  });

  it('compares ids as sets, and names the ids only one side has', () => {
    const { scores, late } = campaign();
    const reordered = copy(scores);
    reordered.pairs[0].indicators.R.denominatorIds.reverse();
    expect(compareCampaignFigures(reordered, scores)).toEqual([]);
    const claimed = copy(scores);
    claimed.pairs[0].indicators.R.numeratorIds.push(late);
    expect(compareCampaignFigures(claimed, scores)).toEqual([
      expect.objectContaining({ figure: 'R.numeratorIds', messageIds: [late] }),
    ]);
  });

  it('compares the ranking: rank, score, items and scorers of every node', () => {
    const { scores } = campaign();
    const published = copy(scores);
    published.ranking[0].score = 99.99;
    published.ranking[1].scoredBy = [];
    const differences = compareCampaignFigures(published, scores);
    expect(differences.map((d) => [d.subject, d.figure])).toEqual([
      [published.ranking[0].node, 'score'],
      [published.ranking[1].node, 'scoredBy'],
    ]);
  });

  it('reports a pair missing on either side', () => {
    const { scores } = campaign();
    const published = copy(scores);
    published.pairs.pop();
    expect(compareCampaignFigures(published, scores)).toEqual([
      expect.objectContaining({ subject: `${YIBIN}→${HUIZHOU}`, figure: 'pair', published: null }),
    ]);
  });
});
