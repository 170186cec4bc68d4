import { payloadSchema, validateDto } from '../payload-schemas';
import { EVALUATION_CRITERIA, EvaluationRatedPayloadV1 } from './evaluation';

const rating = () => ({
  periodStart: '2026-01-01T00:00:00Z',
  periodEnd: '2026-04-01T00:00:00Z',
  criteria: { responsiveness: 5, dataQuality: 4, cooperation: 3, serviceQuality: 1 },
  comment: '季度互评：回执及时，协查反馈需加快。',
});

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy;
}

describe('evaluation.rated v1', () => {
  it('is the schema of evaluation.rated version 1', () => {
    expect(payloadSchema('evaluation.rated', 1)?.payload).toBe(EvaluationRatedPayloadV1);
    expect(payloadSchema('evaluation.rated', 2)).toBeUndefined();
  });

  it('accepts a rating with and without a comment', () => {
    expect(validateDto(EvaluationRatedPayloadV1, rating())).toEqual([]);
    expect(validateDto(EvaluationRatedPayloadV1, without(rating(), 'comment'))).toEqual([]);
  });

  it('has exactly the documented criteria', () => {
    expect(Object.keys(rating().criteria).sort()).toEqual([...EVALUATION_CRITERIA].sort());
  });

  it('refuses unknown fields, at the top and among the criteria', () => {
    expect(validateDto(EvaluationRatedPayloadV1, { ...rating(), pii: 'x' })).toEqual([
      'pii: property pii should not exist',
    ]);
    const criteria = { ...rating().criteria, punctuality: 3 };
    expect(validateDto(EvaluationRatedPayloadV1, { ...rating(), criteria })).toEqual([
      'criteria.punctuality: property punctuality should not exist',
    ]);
  });

  it.each([0, 6, 2.5, '3', null])('refuses the criterion value %p', (value) => {
    const criteria = { ...rating().criteria, cooperation: value };
    const problems = validateDto(EvaluationRatedPayloadV1, { ...rating(), criteria });
    expect(problems).not.toEqual([]);
    expect(problems.every((p) => p.startsWith('criteria.cooperation:'))).toBe(true);
  });

  it('refuses a missing criterion or missing criteria', () => {
    const criteria = without(rating().criteria, 'serviceQuality');
    const problems = validateDto(EvaluationRatedPayloadV1, { ...rating(), criteria });
    expect(problems).toContain('criteria.serviceQuality: serviceQuality must be an integer number');
    expect(problems.every((p) => p.startsWith('criteria.serviceQuality:'))).toBe(true);
    expect(validateDto(EvaluationRatedPayloadV1, without(rating(), 'criteria'))).toEqual([
      'criteria: criteria must be an object',
    ]);
  });

  it.each([
    ['2026-01-01T00:00:00.000Z', 'milliseconds'],
    ['2026-01-01T08:00:00+08:00', 'an offset'],
    ['2026-01-01', 'a date'],
    ['2026-02-30T00:00:00Z', 'no such day'],
  ])('refuses the period start %s (%s)', (periodStart) => {
    expect(validateDto(EvaluationRatedPayloadV1, { ...rating(), periodStart })).toContain(
      'periodStart: periodStart must be a UTC instant YYYY-MM-DDTHH:MM:SSZ',
    );
  });

  it('refuses a period that ends at or before its start', () => {
    for (const periodEnd of ['2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z']) {
      expect(validateDto(EvaluationRatedPayloadV1, { ...rating(), periodEnd })).toEqual([
        'periodEnd: periodEnd must be later than periodStart',
      ]);
    }
  });

  it('refuses a comment over 2000 characters', () => {
    expect(
      validateDto(EvaluationRatedPayloadV1, { ...rating(), comment: '好'.repeat(2000) }),
    ).toEqual([]);
    const problems = validateDto(EvaluationRatedPayloadV1, {
      ...rating(),
      comment: '好'.repeat(2001),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^comment:/);
  });
});
