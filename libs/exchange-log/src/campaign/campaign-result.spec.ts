import { generateNodeKeys } from '@yipanqi/crypto';
import { scoreCampaign } from '@yipanqi/evaluation';
import {
  CampaignResult,
  campaignResult,
  CampaignResultError,
  CampaignSignatureError,
  parametersOf,
  publishedIndicator,
  readCampaignResult,
  signCampaignResult,
} from './campaign-result';
import { evidenceDigest } from './evidence-digest';
import { verdictCounts } from '../scoring/scoring-log';

const HUIZHOU = '441300';
const YIBIN = '511500';
const SHENZHEN = '440300';
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 3, 1);
const coordinator = generateNodeKeys();

function scored() {
  const parameters = {
    participants: [SHENZHEN, HUIZHOU, YIBIN], // Shenzhen exchanged nothing with the others
    period: { start: START, end: END },
    asOf: END + 7 * 24 * 3600_000,
    weights: { R: 40, V: 20, T: 20, Q: 20, S: 0 },
  };
  const notice = {
    id: '01900000-0000-7000-8000-000000000001',
    type: 'notice',
    from: HUIZHOU,
    to: YIBIN,
    agreementId: null,
    correlationId: null,
    causationId: null,
    brokerTime: START + 1000,
    payload: {},
    v: 1,
    piiForm: 'none' as const,
    verdict: null,
  };
  const scores = {
    ...scoreCampaign({ ...parameters, records: [notice] }),
    rejections: verdictCounts([], parameters.period, parameters.participants),
  };
  return { parameters, scores, notice };
}

function signedResult() {
  const { parameters, scores } = scored();
  const about = { resultId: 'r1', campaignId: 'c1', name: '季度互评', computedAt: END + 1 };
  return signCampaignResult(
    campaignResult(about, parameters, scores),
    coordinator.signing.privateKey,
  );
}

const unsignedOf = ({ sig: _sig, ...unsigned }: CampaignResult) => unsigned;

/** a plain JSON copy, as a reader of the topic gets it */
const asRead = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe('campaign result records', () => {
  it('carry the parameters they were scored with and read back as signed', () => {
    const result = signedResult();
    expect(parametersOf(result)).toEqual({
      participants: [SHENZHEN, HUIZHOU, YIBIN],
      period: { start: START, end: END },
      asOf: END + 7 * 24 * 3600_000,
      weights: { R: 40, V: 20, T: 20, Q: 20, S: 0 },
    });
    expect(readCampaignResult(asRead(result), coordinator.signing.publicKey)).toEqual(result);
  });

  it("publish counts and a digest of the ids in place of each indicator's ids", () => {
    const result = signedResult();
    const { notice } = scored();
    // Huizhou's notice, never receipted: R 0/1 under the campaign's weight 40
    const evidence = { numeratorIds: [], denominatorIds: [notice.id], pendingIds: [] };
    expect(publishedIndicator(result.pairs[0], 'R')).toEqual([
      40,
      1,
      0,
      1,
      0,
      evidenceDigest(evidence),
    ]);
    expect(result.pairs[0]).toEqual({
      evaluator: HUIZHOU,
      evaluated: YIBIN,
      score: 0,
      indicators: [
        [40, 1, 0, 1, 0, evidenceDigest(evidence)],
        [20, 0, 0, 0, 0, evidenceDigest({ numeratorIds: [], denominatorIds: [], pendingIds: [] })],
        expect.any(Array),
        expect.any(Array),
        expect.any(Array),
      ],
    });
    expect(JSON.stringify(result)).not.toContain(notice.id);
  });

  it('leave out the pairs with no message behind them', () => {
    const result = signedResult();
    // Yibin never answered the notice: in its score of Huizhou it is a pending Q item
    expect(result.pairs.map((p) => [p.evaluator, p.evaluated])).toEqual([
      [HUIZHOU, YIBIN],
      [YIBIN, HUIZHOU],
    ]);
    expect(result.participants).toEqual([SHENZHEN, HUIZHOU, YIBIN]);
    expect(result.ranking.map((s) => [s.node, s.score, s.exactScore])).toEqual([
      [YIBIN, 0, '0/1'],
      [SHENZHEN, 'n/a', null],
      [HUIZHOU, 'n/a', null],
    ]);
  });

  it('refuse a changed figure, or another signer, as a signature problem', () => {
    const changed = asRead(signedResult());
    (changed.ranking as { score: unknown }[])[0].score = 99;
    expect(() => readCampaignResult(changed, coordinator.signing.publicKey)).toThrow(
      CampaignSignatureError,
    );
    const other = generateNodeKeys();
    expect(() => readCampaignResult(asRead(signedResult()), other.signing.publicKey)).toThrow(
      CampaignSignatureError,
    );
  });

  it('refuse signed records that are not results, saying why', () => {
    const sign = (value: object) =>
      asRead(signCampaignResult(value as never, coordinator.signing.privateKey));
    const unsigned = unsignedOf(signedResult());
    const [pair] = unsigned.pairs;
    const [standing] = unsigned.ranking;
    const digest = pair.indicators[0][5];
    const withIndicator = (R: unknown[]) => ({
      ...pair,
      indicators: [R, ...pair.indicators.slice(1)],
    });
    const cases: [object, RegExp][] = [
      [{ ...unsigned, extra: 1 }, /unknown fields: extra/],
      [{ ...unsigned, version: 1 }, /not a campaign result v2/],
      [{ ...unsigned, participants: ['x'] }, /participants/],
      [{ ...unsigned, pairs: [{ evaluator: HUIZHOU }] }, /pair score 0 is malformed/],
      [{ ...unsigned, pairs: [{ ...pair, items: 1 }] }, /pair score 0 is malformed/],
      [{ ...unsigned, pairs: [{ ...pair, indicators: pair.indicators.slice(1) }] }, /malformed/],
      [{ ...unsigned, pairs: [withIndicator([40, 1, 0, 1, 0, 'not a digest'])] }, /malformed/],
      [{ ...unsigned, pairs: [withIndicator([40, 1, 0, 1, 0])] }, /malformed/],
      [{ ...unsigned, pairs: [withIndicator([40, 1.5, 0, 1, 0, digest])] }, /malformed/],
      [{ ...unsigned, pairs: [withIndicator([40, 1, 0, 1, 0, digest, ['an id']])] }, /malformed/],
      [{ ...unsigned, ranking: [{ ...standing, exactScore: '0.5' }] }, /standing 0 is malformed/],
      [{ ...unsigned, ranking: [{ ...standing, verdicts: {} }] }, /standing 0 is malformed/],
    ];
    for (const [value, why] of cases) {
      const read = () => readCampaignResult(sign(value), coordinator.signing.publicKey);
      expect(read).toThrow(why);
      expect(read).not.toThrow(CampaignSignatureError);
    }
    expect(() => readCampaignResult([], coordinator.signing.publicKey)).toThrow(
      CampaignResultError,
    );
  });
});
