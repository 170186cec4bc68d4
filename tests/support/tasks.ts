import { agreementBecomes, api, AgreementView, ReachableNode } from './agreements';
import { eventually } from './city-nodes';

/** A task as GET /tasks/:id shows it. */
export interface TaskView {
  id: string;
  box: 'inbox' | 'outbox';
  partner: string;
  requester: string;
  performer: string;
  agreementId: string;
  kind: string;
  domain: string;
  dueAt: string;
  state: string;
  overdue: boolean;
  subject?: { idNumber: string; name: string };
  instructions?: string;
  history: {
    messageId: string;
    action: string;
    by: string;
    direction: 'sent' | 'received';
    at: string;
    clock: 'node' | 'broker';
    code?: string;
    staff?: string;
    delivery?: 'pending' | 'receipted' | 'rejected';
    void?: string;
    note?: string;
    detail?: string;
    report?: string;
  }[];
}

/** Polls a node until its view of a task satisfies `check` (the task may not have arrived yet). */
export async function taskBecomes(
  node: ReachableNode,
  id: string,
  check: (t: TaskView) => boolean,
  what: string,
  timeoutMs = 60000,
): Promise<TaskView> {
  let last: TaskView | undefined;
  await eventually(
    async () => {
      const res = await api<TaskView>(node, 'GET', `/tasks/${id}`);
      last = res.status === 200 ? res.body : undefined;
      return last !== undefined && check(last);
    },
    timeoutMs,
    `${what} (last state: ${String(last?.state)})`,
  );
  return last as TaskView;
}

/**
 * Drafts an agreement with any terms the API takes (e.g. custom SLAs), proposes
 * it and has the partner countersign: both hold it active. Returns its id.
 */
export async function establishAgreementWithTerms(
  proposer: ReachableNode,
  partner: ReachableNode,
  draft: Record<string, unknown>,
): Promise<string> {
  const drafted = await api<AgreementView>(proposer, 'POST', '/agreements', draft);
  if (drafted.status !== 201) throw new Error(`draft → ${JSON.stringify(drafted.body)}`);
  const { id } = drafted.body;
  await api(proposer, 'POST', `/agreements/${id}/propose`);
  const received = await agreementBecomes(partner, id, (a) => a.status === 'received', 'proposal');
  await api(partner, 'POST', `/agreements/${id}/countersign`, { hash: received.hash });
  await agreementBecomes(proposer, id, (a) => a.status === 'active', 'countersignature');
  return id;
}
