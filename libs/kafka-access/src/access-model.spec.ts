import { accessRules, AccessRule, auditorPrincipal, nodePrincipal } from './access-model';

const rulesOf = (rules: AccessRule[], principal: string) =>
  rules
    .filter((r) => r.principal === principal)
    .map((r) => `${r.operation} ${r.resource} ${r.pattern} ${r.name}`)
    .sort();

describe('the Kafka access model', () => {
  const network = {
    topicPrefix: 'p',
    members: [
      { code: '441300', suspended: false },
      { code: '511500', suspended: true },
    ],
    auditors: ['provincial'],
  };
  const rules = accessRules(network);

  it('lets a node read only its own inbox, dead letters, sent journal and groups, read the directory, and write to inboxes', () => {
    expect(rulesOf(rules, nodePrincipal('441300', 'p'))).toEqual([
      'read group literal p.node.441300',
      'read group prefixed p.directory.441300.',
      'read group prefixed p.node.441300.journal.',
      'read topic literal p.directory',
      'read topic literal p.dlq.441300',
      'read topic literal p.inbox.441300',
      'read topic literal p.sent.441300',
      'write topic literal p.dlq.441300',
      'write topic literal p.sent.441300',
      'write topic prefixed p.inbox.',
    ]);
  });

  it('takes a suspended node its inbox writes and nothing else', () => {
    const suspended = rulesOf(rules, nodePrincipal('511500', 'p'));
    expect(suspended).not.toContain('write topic prefixed p.inbox.');
    expect(suspended).toContain('read topic literal p.inbox.511500');
    expect(suspended).toContain('write topic literal p.dlq.511500');
    expect(suspended).toContain('write topic literal p.sent.511500');
  });

  it('gives the directory and the evaluation topic one writer, the coordinator', () => {
    const writers = rules
      .filter((r) => r.operation === 'write' && ['p.directory', 'p.evaluation'].includes(r.name))
      .map((r) => r.principal);
    expect([...new Set(writers)]).toEqual(['p.coordinator']);
  });

  it('lets an auditor read every inbox, the directory and the evaluation topic, and write nothing', () => {
    expect(rulesOf(rules, auditorPrincipal('provincial', 'p'))).toEqual([
      'read group prefixed p.auditor.',
      'read topic literal p.directory',
      'read topic literal p.evaluation',
      'read topic prefixed p.inbox.',
    ]);
  });

  it('grants no one CREATE, DELETE or ALTER: the operator is the only one, as super user', () => {
    expect(new Set(rules.map((r) => r.operation))).toEqual(new Set(['read', 'write']));
  });

  it('refuses auditor names that would leave the principal scheme', () => {
    expect(() => auditorPrincipal('a.b')).toThrow(/auditor name/);
  });
});
