import { ScopeDomain, SCOPE_DOMAINS } from '@yipanqi/contracts';
import type { Role } from '@yipanqi/http-api';

/** A running city node as the tests reach it: its URL and a token per role. */
export interface ReachableNode {
  url: string;
  tokens: Record<Role, string>;
}

export async function api<T = Record<string, unknown>>(
  node: ReachableNode,
  method: string,
  path: string,
  body?: unknown,
  role: Role = 'coordinator',
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${node.tokens[role]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface AgreementView {
  id: string;
  status: string;
  version: number;
  hash: string;
  terms: { scope: ScopeDomain[]; version: number; termEnd: string };
  versions: { version: number; hash: string; state: string; proposer: string }[];
  history: { action: string; by: string; version: number }[];
}

export async function agreementAt(
  node: ReachableNode,
  id: string,
): Promise<AgreementView | undefined> {
  const res = await api<AgreementView>(node, 'GET', `/agreements/${id}`);
  return res.status === 200 ? res.body : undefined;
}

/** Polls a node until its view of an agreement satisfies `check`. */
export async function agreementBecomes(
  node: ReachableNode,
  id: string,
  check: (a: AgreementView) => boolean,
  what: string,
  timeoutMs = 60000,
): Promise<AgreementView> {
  const deadline = Date.now() + timeoutMs;
  let last: AgreementView | undefined;
  while (Date.now() < deadline) {
    last = await agreementAt(node, id);
    if (last && check(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last?.status)}`);
}

export interface AgreementOptions {
  /** the proposer's role */
  role?: 'inflow' | 'outflow';
  scope?: ScopeDomain[];
  termStart?: string;
  termEnd?: string;
}

export async function draftAgreement(
  proposer: ReachableNode,
  partnerCode: string,
  options: AgreementOptions = {},
): Promise<AgreementView> {
  const res = await api<AgreementView>(proposer, 'POST', '/agreements', {
    partner: partnerCode,
    myRole: options.role ?? 'inflow',
    scope: options.scope ?? [...SCOPE_DOMAINS],
    termStart: options.termStart ?? '2026-01-01',
    termEnd: options.termEnd ?? '2036-01-01',
  });
  if (res.status !== 201) throw new Error(`draft → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Draft at `proposer`, propose, countersign at `partner` and wait until both
 * sides hold it active — what staff do through the API. Returns its id.
 */
export async function establishAgreement(
  proposer: ReachableNode,
  partner: ReachableNode,
  partnerCode: string,
  options: AgreementOptions = {},
): Promise<string> {
  const { id } = await draftAgreement(proposer, partnerCode, options);
  const proposed = await api(proposer, 'POST', `/agreements/${id}/propose`);
  if (proposed.status !== 200)
    throw new Error(`propose → ${proposed.status} ${JSON.stringify(proposed.body)}`);
  const received = await agreementBecomes(
    partner,
    id,
    (a) => a.status === 'received',
    'the proposal',
  );
  const signed = await api(partner, 'POST', `/agreements/${id}/countersign`, {
    hash: received.hash,
  });
  if (signed.status !== 200)
    throw new Error(`countersign → ${signed.status} ${JSON.stringify(signed.body)}`);
  await agreementBecomes(proposer, id, (a) => a.status === 'active', 'the countersignature');
  return id;
}
