import { normalizePersonText, personTextProblem } from './person-text';

describe('text that names or locates a person', () => {
  it('accepts names and addresses as people write them', () => {
    for (const text of ['张伟', '阿依古丽·买买提', 'Zoë O’Brien', '宜宾市翠屏区 1 号', '𠀋𡈽']) {
      expect(personTextProblem(text)).toBeUndefined();
    }
  });

  it.each([
    ['a NUL', 'a\u0000b', 'TEXT_CONTROL_CHARACTER'],
    ['a line break', '张\n伟', 'TEXT_CONTROL_CHARACTER'],
    ['a C1 control', 'a\u0085b', 'TEXT_CONTROL_CHARACTER'],
    ['DEL', 'a\u007Fb', 'TEXT_CONTROL_CHARACTER'],
    ['a lone high surrogate', 'a\uD83D', 'TEXT_LONE_SURROGATE'],
    ['a lone low surrogate', '\uDE00a', 'TEXT_LONE_SURROGATE'],
    ['a right-to-left override', '张\u202E伟', 'TEXT_BIDI_OVERRIDE'],
    ['a bidi isolate', '\u2067张伟\u2069', 'TEXT_BIDI_OVERRIDE'],
    ['spaces only', '   ', 'TEXT_BLANK'],
    ['an ideographic space only', '\u3000', 'TEXT_BLANK'],
    ['zero-width characters only', '\u200B\uFEFF\u2060', 'TEXT_BLANK'],
    ['nothing', '', 'TEXT_BLANK'],
  ])('refuses %s', (_what, text, code) => {
    expect(personTextProblem(text)?.code).toBe(code);
  });

  it('normalises to NFC', () => {
    const decomposed = 'Zoe\u0308';
    expect(normalizePersonText(decomposed)).toBe('Zoë');
    expect(normalizePersonText(decomposed)).toHaveLength(3);
  });
});
