import { reactive } from 'vue';
import { type Problem, problemMessage } from './problems';

/** Who the token belongs to (GET /auth/me). */
export interface Me {
  role: string;
  label: string;
  node: string;
  name: string;
}

/** One node of the coordinator's directory (GET /directory). */
export interface DirectoryNode {
  code: string;
  name: string;
  level: string;
  status: string;
}

/**
 * The signed-in session, in memory only: the token, the stated purpose and
 * everything read with them are gone with the tab, a reload or signing out,
 * and never reach localStorage or sessionStorage (docs/workbench.md).
 */
export const session = reactive<{
  token: string;
  purpose: string;
  me: Me | null;
  /** node code → name, from the directory */
  names: Record<string, string>;
}>({ token: '', purpose: '', me: null, names: {} });

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problemMessage(problem));
  }
}

function isProblem(value: unknown): value is Problem {
  const v = value as Partial<Problem> | null;
  return typeof v?.code === 'string' && typeof v.status === 'number';
}

export interface Call {
  body?: unknown;
  /** send the purpose staff stated at sign-in, as reads of personal data require */
  purpose?: boolean;
}

/** Calls the node's API with the session's token; a refusal throws ApiProblem. */
export async function api<T>(method: 'GET' | 'POST', path: string, call: Call = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    authorization: `Bearer ${session.token}`,
  };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  // HTTP headers are Latin-1: the API decodes a percent-encoded purpose (docs/flows.md)
  if (call.purpose) headers['x-access-purpose'] = encodeURIComponent(session.purpose);
  const res = await fetch(path, {
    method,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const problem = isProblem(data)
      ? data
      : { status: res.status, code: `HTTP_${res.status}`, title: res.statusText };
    // a revoked token ends the session everywhere at once
    if (res.status === 401) signOut();
    throw new ApiProblem(problem);
  }
  return data as T;
}

/** Checks the token, learns its role and the directory's names, and only then keeps it. */
export async function signIn(token: string, purpose: string): Promise<void> {
  session.token = token.trim();
  try {
    const [me, nodes] = await Promise.all([
      api<Me>('GET', '/auth/me'),
      api<DirectoryNode[]>('GET', '/directory'),
    ]);
    session.me = me;
    session.names = Object.fromEntries(nodes.map((n) => [n.code, n.name]));
    if (me.name) session.names[me.node] ??= me.name;
    session.purpose = purpose.trim();
  } catch (err) {
    signOut();
    throw err;
  }
}

export function signOut(): void {
  session.token = '';
  session.purpose = '';
  session.me = null;
  session.names = {};
}

/** A node code with the directory's name before it: `惠州市 441300`. */
export function nodeName(code: string): string {
  const name = session.names[code];
  return name ? `${name} ${code}` : code;
}
