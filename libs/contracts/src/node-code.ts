/**
 * A node is identified by the 6-digit GB/T 2260 administrative division code of
 * the office that runs it (e.g. 441300 惠州市). Whether a code is a real division
 * is checked by the directory (coordinator); this only checks the shape.
 */
export type NodeCode = string;

const NODE_CODE = /^[1-9]\d{5}$/;

export function isNodeCode(value: unknown): value is NodeCode {
  return typeof value === 'string' && NODE_CODE.test(value);
}

export function assertNodeCode(value: unknown): NodeCode {
  if (!isNodeCode(value)) {
    throw new Error(`not a 6-digit administrative division code: ${JSON.stringify(value)}`);
  }
  return value;
}
