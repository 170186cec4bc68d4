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

  it('remember every ID number, name, phone and address they made', () => {
    const g = new PeopleGenerator(13);
    const p = g.person('441300');
    const bad = g.badCheckDigit();
    const impossible = g.impossibleBirthDate();
    const made = g.personalData();
    expect(made).toEqual(
      expect.arrayContaining([p.idNumber, p.name, p.phone, p.address, bad, impossible]),
    );
    // badCheckDigit draws a person first: that one is remembered too
    expect(made).toHaveLength(4 + 4 + 1 + 1);
  });
});
