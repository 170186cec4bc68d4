import {
  birthDateOf,
  normalizeResidentId,
  residentIdCheckChar,
  residentIdProblem,
  sexOf,
} from './resident-id';

// Built here from synthetic parts, never a real person's number.
const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);
const today = new Date('2026-11-29T00:00:00Z');

describe('resident ID numbers (GB 11643)', () => {
  it('computes the MOD 11-2 check character, X included', () => {
    // the standard's worked example: 11010519491231002 → X
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdCheckChar('44130219900307123')).toMatch(/^[\dX]$/);
    expect(() => residentIdCheckChar('1234')).toThrow(RangeError);
  });

  it('accepts a number with a correct check character and a possible birth date', () => {
    expect(residentIdProblem('11010519491231002X', today)).toBeUndefined();
    expect(residentIdProblem(withCheck('51150219880229004'), today)).toBeUndefined(); // leap day
  });

  it.each([
    ['too short', '4413021990030712', 'ID_NUMBER_FORMAT'],
    ['a letter inside', '44130219900307A234', 'ID_NUMBER_FORMAT'],
    ['a lower-case x', '11010519491231002x', 'ID_NUMBER_FORMAT'],
    ['a wrong check character', '110105194912310021', 'ID_NUMBER_CHECK_DIGIT'],
    ['no GB/T 2260 province (00)', withCheck('00010519491231002'), 'ID_NUMBER_REGION'],
    ['no GB/T 2260 province (99)', withCheck('99010519491231002'), 'ID_NUMBER_REGION'],
  ])('refuses %s', (_what, value, code) => {
    expect(residentIdProblem(value, today)?.code).toBe(code);
  });

  it.each([
    ['30 February', '44130219900230123'],
    ['month 13', '44130219901301123'],
    ['29 February of a common year', '44130219890229123'],
    ['a birth after today', '44130220271201123'],
    ['a birth before 1900', '44130218991231123'],
  ])('refuses an impossible birth date: %s', (_what, first17) => {
    expect(residentIdProblem(withCheck(first17), today)?.code).toBe('ID_NUMBER_BIRTH_DATE');
  });

  it('normalises what staff type to the one form the wire carries', () => {
    expect(normalizeResidentId('11010519491231002x')).toBe('11010519491231002X');
    expect(normalizeResidentId('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    expect(normalizeResidentId('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X');
    // nothing else is mapped: these still fail the format check
    for (const other of ['①1010519491231002X', ' 11010519491231002X', '1101051949123100２Y']) {
      expect(residentIdProblem(normalizeResidentId(other), today)?.code).toBe('ID_NUMBER_FORMAT');
    }
  });

  it('never repeats the number in its problem', () => {
    const value = '110105194912310021';
    expect(residentIdProblem(value, today)?.detail).not.toContain('1949');
  });

  it('reads the birth date and sex', () => {
    const id = withCheck('44130219900307123');
    expect(birthDateOf(id)).toBe('1990-03-07');
    expect(sexOf(id)).toBe('male');
    expect(sexOf(withCheck('44130219900307124'))).toBe('female');
  });
});
