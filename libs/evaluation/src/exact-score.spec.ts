import { exactPairScore, IndicatorCounts } from './exact-score';
import { ScoringRecord } from './log-record';
import { ratioText, roundHalfUp2 } from './ratio';
import { scorePair } from './score-pair';
import { IndicatorCode } from './terms';

const none: IndicatorCounts = { weight: 0, items: 0, numerator: 0, denominator: 0 };

function pair(counted: Partial<Record<IndicatorCode, IndicatorCounts>>) {
  return { indicators: { R: none, V: none, T: none, Q: none, S: none, ...counted } };
}

const text = (p: ReturnType<typeof pair>) => {
  const exact = exactPairScore(p);
  return exact && ratioText(exact);
};

describe('exactPairScore', () => {
  it('is the exact fraction behind the rounded score', () => {
    // R = V = 2/3, S = 2/16 under the default weights: exactly 53.125 (DESIGN §7's example)
    const score = pair({
      R: { weight: 20, items: 3, numerator: 2, denominator: 3 },
      V: { weight: 25, items: 3, numerator: 2, denominator: 3 },
      T: { weight: 25, items: 0, numerator: 0, denominator: 0 },
      Q: { weight: 15, items: 0, numerator: 0, denominator: 0 },
      S: { weight: 15, items: 1, numerator: 2, denominator: 16 },
    });
    expect(text(score)).toBe('425/8');
  });

  it('reads weights as the decimals they are written as', () => {
    // 100 × 2.7 / (2.7 + 6.9) = 28.125 exactly, not a hair below
    const score = pair({
      R: { weight: 2.7, items: 1, numerator: 1, denominator: 1 },
      Q: { weight: 6.9, items: 1, numerator: 0, denominator: 1 },
    });
    expect(text(score)).toBe('225/8');
  });

  it('is null without counted items, or when the counted indicators weigh 0', () => {
    expect(exactPairScore(pair({}))).toBeNull();
    expect(
      exactPairScore(pair({ R: { weight: 0, items: 2, numerator: 1, denominator: 2 } })),
    ).toBeNull();
  });

  it("rounds to scorePair's score", () => {
    const [A, B] = ['441300', '511500'];
    const at = Date.UTC(2026, 0, 1);
    const record = (id: string, type: string, from: string, brokerTime: number, answers?: string) =>
      ({
        id,
        type,
        from,
        to: from === A ? B : A,
        agreementId: null,
        correlationId: id,
        causationId: answers ?? null,
        brokerTime,
        payload: answers ? { messageId: answers } : {},
        v: 1,
        piiForm: 'none',
        verdict: null,
      }) satisfies ScoringRecord;
    // R 1/2 (one notice receipted late), Q 1/1: 100 × (20 × 1/2 + 15) / 35 = 500/7 = 71.428…
    const score = scorePair({
      evaluator: A,
      evaluated: B,
      period: { start: at, end: at + 1000 * 3600_000 },
      asOf: at + 2000 * 3600_000,
      records: [
        record('n1', 'notice', A, at + 1),
        record('r1', 'receipt', B, at + 2, 'n1'),
        record('n2', 'notice', A, at + 3),
        record('r2', 'receipt', B, at + 100 * 3600_000, 'n2'),
        record('m1', 'notice', B, at + 4),
        record('r3', 'receipt', A, at + 5, 'm1'),
      ],
    });
    const exact = exactPairScore(score);
    expect(exact && ratioText(exact)).toBe('500/7');
    expect(exact && roundHalfUp2(exact)).toBe(score.score);
  });
});
