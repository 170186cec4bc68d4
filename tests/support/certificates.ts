import { ScopeDomain } from '@yipanqi/contracts';
import type { Role } from '@yipanqi/http-api';
import { agreementBecomes, api, AgreementView, ReachableNode } from './agreements';
import { SyntheticPerson } from './synthetic-people';

/**
 * An active agreement in which `outflow` is the place of outflow, with the
 * response SLA the verification queue's due times come from.
 */
export async function establishOutflowAgreement(
  outflow: ReachableNode,
  inflow: ReachableNode,
  inflowCode: string,
  options: { scope: ScopeDomain[]; responseHours?: number },
): Promise<string> {
  const drafted = await api<AgreementView>(outflow, 'POST', '/agreements', {
    partner: inflowCode,
    myRole: 'outflow',
    scope: options.scope,
    termStart: '2026-01-01',
    termEnd: '2036-01-01',
    sla: { receiptHours: 24, responseHours: options.responseHours ?? 120, taskHours: 360 },
  });
  if (drafted.status !== 201) throw new Error(`draft → ${drafted.status}`);
  const { id } = drafted.body;
  await api(outflow, 'POST', `/agreements/${id}/propose`);
  const received = await agreementBecomes(inflow, id, (a) => a.status === 'received', 'proposal');
  const signed = await api(inflow, 'POST', `/agreements/${id}/countersign`, {
    hash: received.hash,
  });
  if (signed.status !== 200) throw new Error(`countersign → ${signed.status}`);
  await agreementBecomes(outflow, id, (a) => a.status === 'active', 'the countersignature');
  return id;
}

/** The body of POST /certificates for a synthetic holder. */
export function certificateFor(
  holder: SyntheticPerson,
  to: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    to,
    holder: { idNumber: holder.idNumber, name: holder.name, phone: holder.phone },
    maritalStatus: 'married',
    children: 1,
    validFrom: '2026-01-01',
    validUntil: '2035-12-31',
    ...extra,
  };
}

/** A read of personal data: like `api`, with the purpose header (percent-encoded, as clients send Chinese). */
export async function readWithPurpose<T = Record<string, unknown>>(
  node: ReachableNode,
  path: string,
  purpose: string,
  role: Role = 'coordinator',
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${node.url}${path}`, {
    headers: {
      authorization: `Bearer ${node.tokens[role]}`,
      'x-access-purpose': encodeURIComponent(purpose),
    },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
