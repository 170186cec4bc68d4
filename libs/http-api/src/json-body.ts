import { ProblemError } from './problem';

/** Objects and arrays nested deeper than this are refused: nothing the API takes comes close. */
export const MAX_JSON_DEPTH = 32;

/**
 * Keys refused at any level. JSON.parse makes them plain own properties, but
 * code that copies or merges the parsed body (class-transformer, spreads into
 * entities) may treat them as the object's prototype or constructor.
 */
export const FORBIDDEN_JSON_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** What is wrong with the shape of a JSON text, if anything. */
export type JsonShapeFinding =
  | { kind: 'too-deep'; maxDepth: number }
  | { kind: 'duplicate-key' | 'forbidden-key'; key: string; field: string };

interface ObjectFrame {
  kind: 'object';
  field: string;
  keys: Set<string>;
  /** true after `{` or `,`: the next string is a key, not a value */
  awaitingKey: boolean;
  lastKey: string;
}

interface ArrayFrame {
  kind: 'array';
  field: string;
  index: number;
}

/**
 * Scans a JSON text once, without building it, for what JSON.parse lets
 * through silently: nesting deeper than `maxDepth`, a key repeated in one
 * object (JSON.parse keeps the last one) and the forbidden keys. Fields are
 * dotted paths as in validation problems (`items.0.name`).
 *
 * It is only exact for valid JSON; on malformed text it may find anything
 * or nothing, so callers confirm the text parses (see jsonShapeProblem).
 */
export function findJsonShapeProblem(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): JsonShapeFinding | undefined {
  const stack: (ObjectFrame | ArrayFrame)[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack.at(-1);
    if (char === '"') {
      const end = closingQuote(text, i);
      if (end === -1) return undefined;
      if (top?.kind === 'object' && top.awaitingKey) {
        const key = decodeString(text.slice(i, end + 1));
        if (key === undefined) return undefined;
        const field = childField(top.field, key);
        if (FORBIDDEN_JSON_KEYS.includes(key)) return { kind: 'forbidden-key', key, field };
        if (top.keys.has(key)) return { kind: 'duplicate-key', key, field };
        top.keys.add(key);
        top.lastKey = key;
        top.awaitingKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      if (stack.length >= maxDepth) return { kind: 'too-deep', maxDepth };
      const field = top ? childField(top.field, memberName(top)) : '';
      stack.push(
        char === '{'
          ? { kind: 'object', field, keys: new Set(), awaitingKey: true, lastKey: '' }
          : { kind: 'array', field, index: 0 },
      );
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',' && top) {
      if (top.kind === 'object') top.awaitingKey = true;
      else top.index++;
    }
  }
  return undefined;
}

/**
 * The problem with a JSON body's shape, or undefined when there is none — or
 * when the text is not JSON at all: that is left to the parser, which names
 * it MALFORMED_JSON. (JSON.parse is iterative in V8: deep text cannot
 * overflow the stack here; it is what runs on the parsed body that could.)
 */
export function jsonShapeProblem(text: string): ProblemError | undefined {
  const finding = findJsonShapeProblem(text);
  if (finding === undefined || !isJson(text)) return undefined;
  if (finding.kind === 'too-deep') {
    return new ProblemError(
      400,
      'JSON_TOO_DEEP',
      'JSON nested too deeply',
      `the body nests objects and arrays deeper than ${finding.maxDepth} levels`,
    );
  }
  const problem =
    finding.kind === 'duplicate-key'
      ? `the key ${JSON.stringify(finding.key)} appears more than once in the same object`
      : `the key ${JSON.stringify(finding.key)} is not allowed`;
  return new ProblemError(400, 'VALIDATION_FAILED', 'The request is not valid', problem, {
    errors: [{ field: finding.field, code: 'INVALID', problem }],
  });
}

/** Index of the quote closing the string that opens at `start`, or -1 if it never closes. */
function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** A quoted JSON string token decoded (escapes such as `\u005f` resolved), or undefined if invalid. */
function decodeString(token: string): string | undefined {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The name of the member a frame is at: the last key of an object, the index in an array. */
function memberName(frame: ObjectFrame | ArrayFrame): string {
  return frame.kind === 'object' ? frame.lastKey : String(frame.index);
}

function childField(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}
