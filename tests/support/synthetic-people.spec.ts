import { residentIdProblem } from '@yipanqi/contracts';
import { PeopleGenerator } from './synthetic-people';

describe('synthetic people', () => {
  it('have valid ID numbers under the outflow node, the same for the same seed', () => {
    const a = new PeopleGenerator(7);
    const b = new PeopleGenerator(7);
    for (let i = 0; i < 500; i++) {
      const p = a.person('511500');
      expect(residentIdProblem(p.idNumber)).toBeUndefined();
      expect(p.idNumber.slice(0, 4)).toBe('5115');
      expect(b.person('511500')).toEqual(p);
    }
  });

  it('make the two kinds of bad numbers the validator must catch', () => {
    const g = new PeopleGenerator(11);
    for (let i = 0; i < 50; i++) {
      expect(residentIdProblem(g.badCheckDigit())?.code).toBe('ID_NUMBER_CHECK_DIGIT');
      expect(residentIdProblem(g.impossibleBirthDate())?.code).toBe('ID_NUMBER_BIRTH_DATE');
    }
  });
});
