import { AgreementTermsV1, validateDto } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import {
  agreementHash,
  crossingWinner,
  DEFAULT_SLA,
  DEFAULT_WEIGHTS,
  effectiveStatus,
  flowRefusal,
  partnerOf,
  signAgreement,
  termInstant,
  termsProblems,
  transitionProblem,
  verifyAgreementSignature,
} from './agreement-rules';

const terms = (over: Partial<AgreementTermsV1> = {}): AgreementTermsV1 => ({
  agreementId: '0192f3c4-0000-7000-8000-000000000001',
  version: 1,
  inflow: '441300',
  outflow: '511500',
  scope: ['publicity', 'marriage-certificate'],
  sla: { ...DEFAULT_SLA },
  weights: { ...DEFAULT_WEIGHTS },
  termStart: '2026-01-01T00:00:00Z',
  termEnd: '2027-01-01T00:00:00Z',
  contacts: [{ node: '441300', office: '惠州市流动人口服务科', phone: '0752-0000000' }],
  ...over,
});

const at = (iso: string) => Date.parse(iso);

describe('agreement text', () => {
  it('hashes every field: any change gives another hash', () => {
    const base = agreementHash(terms());
    expect(agreementHash(terms())).toBe(base);
    expect(agreementHash(terms({ scope: ['publicity'] }))).not.toBe(base);
    expect(agreementHash(terms({ sla: { ...DEFAULT_SLA, receiptHours: 48 } }))).not.toBe(base);
    expect(agreementHash(terms({ version: 2 }))).not.toBe(base);
  });

  it('is signed by each party over the same hash, and a signature fits only that hash', () => {
    const inflow = generateNodeKeys().signing;
    const outflow = generateNodeKeys().signing;
    const t = terms();
    const hash = agreementHash(t);
    const a = signAgreement(t.agreementId, 1, hash, inflow.privateKey);
    const b = signAgreement(t.agreementId, 1, hash, outflow.privateKey);
    expect(verifyAgreementSignature(t.agreementId, 1, hash, a, inflow.publicKey)).toBe(true);
    expect(verifyAgreementSignature(t.agreementId, 1, hash, b, outflow.publicKey)).toBe(true);
    expect(verifyAgreementSignature(t.agreementId, 1, hash, a, outflow.publicKey)).toBe(false);
    const other = agreementHash(terms({ scope: ['publicity'] }));
    expect(verifyAgreementSignature(t.agreementId, 1, other, a, inflow.publicKey)).toBe(false);
    expect(verifyAgreementSignature(t.agreementId, 2, hash, a, inflow.publicKey)).toBe(false);
  });

  it('names its problems', () => {
    expect(termsProblems(terms(), '441300')).toEqual([]);
    expect(termsProblems(terms(), '440300')).toEqual(['440300 is not a party']);
    expect(termsProblems(terms({ outflow: '441300' }), '441300')).toContain(
      'inflow and outflow must be different nodes',
    );
    expect(termsProblems(terms({ termEnd: '2025-01-01T00:00:00Z' }), '441300')).toContain(
      'termEnd must be after termStart',
    );
    expect(
      termsProblems(terms({ contacts: [{ node: '440300', office: 'x', phone: '1' }] }), '441300'),
    ).toEqual(['contact of 440300, which is not a party']);
    expect(termsProblems(terms({ weights: { R: 0, V: 0, T: 0, Q: 0, S: 0 } }), '441300')).toEqual([
      'at least one weight must be above 0',
    ]);
  });

  it('must state SLAs and weights: a text without them does not validate', () => {
    const bare: Partial<AgreementTermsV1> = terms();
    delete bare.sla;
    delete bare.weights;
    const problems = validateDto(AgreementTermsV1, bare);
    expect(problems.some((p) => p.startsWith('sla:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('weights:'))).toBe(true);
    expect(validateDto(AgreementTermsV1, terms())).toEqual([]);
  });

  it('knows the partner', () => {
    expect(partnerOf(terms(), '441300')).toBe('511500');
    expect(partnerOf(terms(), '511500')).toBe('441300');
  });

  it('reads a plain date as 00:00 China Standard Time', () => {
    expect(termInstant('2027-01-01')).toBe('2026-12-31T16:00:00Z');
    expect(termInstant('2027-01-01T08:30:00.250+08:00')).toBe('2027-01-01T00:30:00Z');
    expect(() => termInstant('next year')).toThrow(RangeError);
  });
});

describe('lifecycle', () => {
  it.each([
    ['draft', 'propose'],
    ['received', 'countersign'],
    ['received', 'decline'],
    ['active', 'amend'],
    ['active', 'suspend'],
    ['suspended', 'resume'],
    ['suspended', 'terminate'],
    ['active', 'terminate'],
  ] as const)('allows %s → %s', (status, action) => {
    expect(transitionProblem(status, action)).toBeUndefined();
  });

  it.each([
    ['proposed', 'countersign'],
    ['active', 'propose'],
    ['terminated', 'resume'],
    ['terminated', 'suspend'],
    ['declined', 'countersign'],
    ['superseded', 'countersign'],
    ['suspended', 'suspend'],
  ] as const)('refuses %s → %s', (status, action) => {
    expect(transitionProblem(status, action)).toMatch(/^cannot /);
  });

  it('is in force only while active and within its term', () => {
    const a = { status: 'active' as const, terms: terms() };
    expect(effectiveStatus(a, at('2025-12-31T23:59:59Z'))).toBe('not-yet-in-force');
    expect(effectiveStatus(a, at('2026-06-01T00:00:00Z'))).toBe('active');
    expect(effectiveStatus(a, at('2027-01-01T00:00:00Z'))).toBe('expired');
    expect(effectiveStatus({ ...a, status: 'suspended' }, at('2026-06-01T00:00:00Z'))).toBe(
      'suspended',
    );
  });
});

describe('flows under an agreement', () => {
  const agreement = { status: 'active' as const, terms: terms() };
  const notice = (over: Record<string, unknown> = {}) => ({
    from: '441300',
    to: '511500',
    type: 'notice',
    agreementId: agreement.terms.agreementId,
    payload: { domain: 'publicity', category: 'policy', pii: 'x' },
    ...over,
  });
  const mid = at('2026-06-01T00:00:00Z');

  it('lets an in-scope message through, in both directions', () => {
    expect(flowRefusal(agreement, notice(), mid)).toBeUndefined();
    expect(flowRefusal(agreement, notice({ from: '511500', to: '441300' }), mid)).toBeUndefined();
  });

  it('refuses a message without an agreement, or with one between other nodes', () => {
    expect(flowRefusal(undefined, notice({ agreementId: null }), mid)?.reason).toBe('NO_AGREEMENT');
    expect(flowRefusal(undefined, notice(), mid)?.reason).toBe('NO_AGREEMENT');
    expect(flowRefusal(agreement, notice({ from: '440300' }), mid)?.reason).toBe('NO_AGREEMENT');
  });

  it('refuses a message under an agreement that is not in force', () => {
    expect(flowRefusal({ ...agreement, status: 'suspended' }, notice(), mid)).toEqual({
      reason: 'AGREEMENT_INACTIVE',
      detail: `agreement ${agreement.terms.agreementId} is suspended`,
    });
    expect(flowRefusal(agreement, notice(), at('2027-02-01T00:00:00Z'))?.detail).toMatch(/expired/);
  });

  it('refuses a domain outside the scope', () => {
    const refusal = flowRefusal(agreement, notice({ payload: { domain: 'fee-collection' } }), mid);
    expect(refusal?.reason).toBe('OUT_OF_SCOPE');
    const certificate = flowRefusal(
      { ...agreement, terms: terms({ scope: ['publicity'] }) },
      notice({ type: 'certificate.issued', payload: {} }),
      mid,
    );
    expect(certificate?.reason).toBe('OUT_OF_SCOPE');
  });
});

describe('crossing offers', () => {
  it('keep the earlier offer on both sides', () => {
    const earlier = '0192f3c4-0000-7000-8000-000000000001';
    const later = '0192f3c4-0001-7000-8000-000000000001';
    expect(crossingWinner(earlier, later)).toBe('ours');
    expect(crossingWinner(later, earlier)).toBe('theirs');
  });
});
