import { findJsonShapeProblem, jsonShapeProblem, MAX_JSON_DEPTH } from './json-body';

/** `depth` levels of objects, the innermost empty: `{"a":{"a":{}}}` is 3. */
const nestedObjects = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('the JSON shape scanner', () => {
  it.each([
    ['an object', '{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":null}}'],
    ['an array', '[1,"two",{"three":3},[4]]'],
    ['the empty text (body-parser reads it as {})', ''],
    ['a scalar', '"just a string"'],
    ['the same key in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same key at different levels', '{"a":{"a":{"a":1}}}'],
    ['forbidden words as values', '{"a":"__proto__","b":["constructor","prototype"]}'],
    ['brackets, quotes and commas inside strings', '{"a":"{[\\"\\\\","b":"}]],{"}'],
    ['keys that only look alike', '{"a":1,"A":2,"a ":3,"constructors":4,"__proto":5}'],
  ])('finds nothing wrong with %s', (_what, text) => {
    expect(findJsonShapeProblem(text)).toBeUndefined();
    expect(jsonShapeProblem(text)).toBeUndefined();
  });

  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    for (const nested of [nestedObjects, nestedArrays]) {
      expect(findJsonShapeProblem(nested(32))).toBeUndefined();
      expect(findJsonShapeProblem(nested(33))).toEqual({ kind: 'too-deep', maxDepth: 32 });
    }
    expect(findJsonShapeProblem('[{"a":[{"b":[]}]}]', 5)).toBeUndefined();
    expect(findJsonShapeProblem('[{"a":[{"b":[[]]}]}]', 5)).toEqual({
      kind: 'too-deep',
      maxDepth: 5,
    });
  });

  it('counts depth, not how many objects there are', () => {
    const wide = `[${Array.from({ length: 1000 }, () => nestedObjects(30)).join(',')}]`;
    expect(findJsonShapeProblem(wide)).toBeUndefined();
  });

  it('answers JSON_TOO_DEEP for deep text, however deep', () => {
    const problem = jsonShapeProblem(nestedArrays(100_000))?.toProblem();
    expect(problem).toMatchObject({ status: 400, code: 'JSON_TOO_DEEP' });
    expect(problem?.detail).toContain('32 levels');
  });

  it.each([
    ['at the top', '{"a":1,"a":2}', 'a', 'a'],
    ['after a nested value', '{"a":{"x":[1,{"y":2}]},"b":1,"a":3}', 'a', 'a'],
    ['nested in an object', '{"a":{"b":1,"b":1}}', 'b', 'a.b'],
    ['in an array element', '{"items":[{"n":1},{"n":1,"n":2}]}', 'n', 'items.1.n'],
    ['spelt with an escape', '{"ab":1,"\\u0061b":2}', 'ab', 'ab'],
    ['with an empty name', '{"":1,"":2}', '', ''],
  ])('finds a key repeated %s', (_where, text, key, field) => {
    expect(findJsonShapeProblem(text)).toEqual({ kind: 'duplicate-key', key, field });
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"admin":true}}', '__proto__', '__proto__'],
    ['__proto__ nested', '{"a":{"b":[{"__proto__":{}}]}}', '__proto__', 'a.b.0.__proto__'],
    ['__proto__ spelt with escapes', '{"\\u005f_proto\\u005f_":1}', '__proto__', '__proto__'],
    ['constructor', '{"a":{"constructor":{"prototype":1}}}', 'constructor', 'a.constructor'],
    ['prototype', '[{"prototype":null}]', 'prototype', '0.prototype'],
  ])('finds the forbidden key %s', (_what, text, key, field) => {
    expect(findJsonShapeProblem(text)).toEqual({ kind: 'forbidden-key', key, field });
  });

  it('answers a repeated or forbidden key as VALIDATION_FAILED naming it', () => {
    expect(jsonShapeProblem('{"name":"a","name":"b"}')?.toProblem()).toEqual({
      type: 'urn:yipanqi:problem:VALIDATION_FAILED',
      title: 'The request is not valid',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'the key "name" appears more than once in the same object',
      errors: [
        {
          field: 'name',
          code: 'INVALID',
          problem: 'the key "name" appears more than once in the same object',
        },
      ],
    });
    const forbidden = jsonShapeProblem('{"a":{"__proto__":{}}}')?.toProblem();
    expect(forbidden).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: 'the key "__proto__" is not allowed',
      errors: [{ field: 'a.__proto__', code: 'INVALID' }],
    });
  });

  it.each([
    ['an unclosed string', '{"a":1,"a'],
    ['a bad escape in a key', '{"\\x":1,"\\x":2}'],
    ['a repeated key in text that is not JSON', '{"a":1,"a":2'],
    ['deep text that is not JSON', nestedArrays(40).slice(0, -1)],
    ['unbalanced brackets', '}]{"a":1}'],
  ])('leaves %s to the parser (MALFORMED_JSON)', (_what, text) => {
    expect(jsonShapeProblem(text)).toBeUndefined();
  });
});
