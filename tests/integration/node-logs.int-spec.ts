/**
 * What the built city node prints when its stdout is a pipe (as under a
 * supervisor or a container runtime): JSON lines only, no colour codes, no
 * route mapping at the default level, one line per request and per exchange
 * event, and nothing of a URL's query string.
 */
import { establishAgreement } from '../support/agreements';
import { eventually } from '../support/city-nodes';
import { LogLine, parseLogLine } from '../support/logs';
import {
  NodeProcess,
  ProcessNetwork,
  receiptsAtSender,
  sendNotices,
  startProcessNetwork,
} from '../support/node-process';

const HUIZHOU = '441300';
const YIBIN = '511500';
const ID_NUMBER = '511502198806150428';

describe('a city node process writes JSON log lines to its stdout', () => {
  let net: ProcessNetwork;
  let sender: NodeProcess;
  let receiver: NodeProcess;
  let asked: Response;
  const lines = (node: NodeProcess): LogLine[] =>
    node.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map(parseLogLine);

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU, YIBIN]);
    sender = net.nodes[HUIZHOU];
    receiver = net.nodes[YIBIN];
    await Promise.all([sender.start(), receiver.start()]);
    await establishAgreement(sender, receiver, YIBIN);
    await sendNotices(sender, YIBIN, 3, 1);
    await eventually(() => receiptsAtSender(sender) === 3, 60000, 'three receipts');
    // an ID number in a query string, and a request id of the caller's
    asked = await fetch(`${receiver.url}/migrants?idNumber=${ID_NUMBER}`, {
      headers: {
        authorization: receiver.bearer('coordinator'),
        'x-access-purpose': encodeURIComponent('流动人口信息核查'),
        'x-request-id': 'caller-7',
      },
    });
    await asked.text();
    // the request line is written when the answer is: give the pipe a moment
    await eventually(() => receiver.stdout.includes('caller-7'), 5000, 'the request line');
  });
  afterAll(() => net.stop());

  it('every line a JSON object naming the app and the node, no ANSI escape, nothing on stderr', () => {
    for (const node of [sender, receiver]) {
      expect(node.stdout).not.toContain('\x1b');
      expect([node.code, node.stderr]).toEqual([node.code, '']);
      const parsed = lines(node);
      expect(parsed.length).toBeGreaterThan(5);
      for (const line of parsed) {
        expect(line).toMatchObject({ app: 'city-node', node: node.code });
        expect(typeof line.level === 'string' && typeof line.time === 'string').toBe(true);
      }
    }
  });

  it("starts with four lines at info: no route mappings or module lines (Nest's at debug)", () => {
    for (const node of [sender, receiver]) {
      const parsed = lines(node);
      const listening = parsed.findIndex((l) => l.msg === 'listening');
      expect(
        parsed.slice(0, listening + 1).map((l) => [l.level, l.context ?? null, l.msg]),
      ).toEqual([
        ['info', 'NestFactory', 'Starting Nest application...'],
        ['info', 'NestMicroservice', 'Nest microservice successfully started'],
        ['info', 'NestApplication', 'Nest application successfully started'],
        ['info', null, 'listening'],
      ]);
      expect(parsed[listening].url).toBe(node.url);
      const detail = ['RouterExplorer', 'RoutesResolver', 'InstanceLoader'];
      expect(parsed.filter((l) => detail.includes(String(l.context)))).toEqual([]);
    }
  });

  it('logs each request by route template and request id, never the query string', () => {
    expect([asked.status, asked.headers.get('x-request-id')]).toEqual([200, 'caller-7']);
    expect(lines(receiver).filter((l) => l.requestId === 'caller-7')).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'GET',
        route: '/migrants',
        status: 200,
        msg: 'GET /migrants 200',
      }),
    ]);
    expect(receiver.stdout).not.toContain(ID_NUMBER);
    const posted = lines(sender).filter((l) => l.route === '/notices' && l.method === 'POST');
    expect(posted.map((l) => [l.level, l.status])).toEqual([
      ['info', 202],
      ['info', 202],
      ['info', 202],
    ]);
  });

  it('logs one line per notice sent at the sender and one per notice applied at the receiver', () => {
    const notices = sender.query<{ id: string }>(
      `SELECT id FROM exchange_outbox WHERE type = 'notice' ORDER BY id`,
    );
    expect(notices).toHaveLength(3);
    for (const { id } of notices) {
      const fields = { event: 'exchange', messageId: id, type: 'notice', from: HUIZHOU, to: YIBIN };
      expect(lines(sender).filter((l) => l.messageId === id)).toEqual([
        expect.objectContaining({ ...fields, outcome: 'sent', level: 'info', context: 'Exchange' }),
      ]);
      expect(lines(receiver).filter((l) => l.messageId === id)).toEqual([
        expect.objectContaining({
          ...fields,
          outcome: 'applied',
          level: 'info',
          context: 'Exchange',
        }),
      ]);
    }
  });
});
