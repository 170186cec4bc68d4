import { validateDto } from '../payload-schemas';
import { residentIdCheckChar } from '../resident-id';
import {
  CertificateIssuedPayloadV1,
  CertificatePiiV1,
  VerificationAnsweredPayloadV1,
  VerificationPiiV1,
} from './certificate';

const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn';
const ID = '51150219900307123';
const idNumber = ID + residentIdCheckChar(ID);

describe('certificate payloads', () => {
  const issued = {
    certificateId: '0192f3c4-0000-7000-8000-000000000000',
    validFrom: '2026-03-01',
    validUntil: '2027-02-28',
    pii: JWE,
  };

  it('accepts a certificate with calendar days', () => {
    expect(validateDto(CertificateIssuedPayloadV1, issued)).toEqual([]);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-3-1', '2026-03-01T00:00:00Z'])(
    'refuses %s as a day',
    (day) => {
      const problems = validateDto(CertificateIssuedPayloadV1, { ...issued, validUntil: day });
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.startsWith('validUntil:'))).toBe(true);
    },
  );

  it('keeps the holder and number out of the readable part', () => {
    expect(
      validateDto(CertificateIssuedPayloadV1, { ...issued, number: '511500-2026-000001' }),
    ).toEqual(['number: property number should not exist']);
  });

  it('checks the holder inside pii like any person', () => {
    const pii = {
      number: '511500-2026-000001',
      holder: { idNumber, name: '王芳' },
      maritalStatus: 'married',
      children: 1,
    };
    expect(validateDto(CertificatePiiV1, pii)).toEqual([]);
    const bad = validateDto(CertificatePiiV1, {
      ...pii,
      holder: { idNumber: ID + (idNumber[17] === '0' ? '1' : '0'), name: '王芳' },
      maritalStatus: 'engaged',
      children: -1,
    });
    expect(bad.map((p) => p.split(':')[0]).sort()).toEqual([
      'children',
      'holder.idNumber',
      'maritalStatus',
    ]);
  });

  it('takes certificate numbers only as senders normalise them', () => {
    const asked = { certificateNumber: '宜宾婚育-2026-0042AB', idNumber };
    expect(validateDto(VerificationPiiV1, asked)).toEqual([]);
    expect(
      validateDto(VerificationPiiV1, { ...asked, certificateNumber: '511500 2026' }),
    ).toHaveLength(1);
    expect(validateDto(VerificationPiiV1, { ...asked, certificateNumber: 'ab-1' })).toHaveLength(1);
  });

  it('knows the four results and who answered', () => {
    const answer = {
      verificationId: '0192f3c4-0000-7000-8000-000000000000',
      result: 'VALID',
      answeredBy: 'automatic',
    };
    expect(validateDto(VerificationAnsweredPayloadV1, answer)).toEqual([]);
    expect(
      validateDto(VerificationAnsweredPayloadV1, { ...answer, result: 'MAYBE', answeredBy: 'ai' }),
    ).toHaveLength(2);
  });
});
