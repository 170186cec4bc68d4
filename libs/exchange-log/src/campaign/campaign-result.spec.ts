import { generateNodeKeys } from '@yipanqi/crypto';
import { scoreCampaign } from '@yipanqi/evaluation';
import {
  CampaignResult,
  campaignResult,
  CampaignResultError,
  CampaignSignatureError,
  parametersOf,
  readCampaignResult,
  signCampaignResult,
} from './campaign-result';

const HUIZHOU = '441300';
const YIBIN = '511500';
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 3, 1);
const coordinator = generateNodeKeys();

function signedResult() {
  const parameters = {
    participants: [HUIZHOU, YIBIN],
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
  const scores = scoreCampaign({ ...parameters, records: [notice] });
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
      participants: [HUIZHOU, YIBIN],
      period: { start: START, end: END },
      asOf: END + 7 * 24 * 3600_000,
      weights: { R: 40, V: 20, T: 20, Q: 20, S: 0 },
    });
    expect(result.pairs[0].indicators.R).toMatchObject({ weight: 40, items: 1, numerator: 0 }); // never receipted
    expect(readCampaignResult(asRead(result), coordinator.signing.publicKey)).toEqual(result);
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
    const cases: [object, RegExp][] = [
      [{ ...unsigned, extra: 1 }, /unknown fields: extra/],
      [{ ...unsigned, version: 2 }, /not a campaign result v1/],
      [{ ...unsigned, participants: ['x'] }, /participants/],
      [{ ...unsigned, pairs: [{ evaluator: HUIZHOU }] }, /pair score is malformed/],
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
