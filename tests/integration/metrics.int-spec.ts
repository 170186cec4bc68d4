/**
 * `/metrics` on the city node and the coordinator (issue 12): each app its own
 * registry (three apps in this process), HTTP requests by route template and
 * status, exchange messages by outcome, the node's gauges.
 */
import request from 'supertest';
import { establishAgreement } from '../support/agreements';
import { bearer, eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe('Prometheus metrics', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN]);
  });
  afterAll(() => net.stop());

  const scrape = async (url: string) => {
    const res = await request(url).get('/metrics').expect(200);
    expect(res.get('content-type')).toMatch(/^text\/plain/);
    return res.text;
  };

  it('counts HTTP requests by route template and status, per app', async () => {
    const huizhou = net.nodes[HUIZHOU];
    await request(huizhou.url).get('/health').expect(200);
    await request(huizhou.url).get('/tasks/overdue').expect(401);
    const text = await scrape(huizhou.url);
    expect(text).toMatch(
      /yipanqi_http_requests_total\{method="GET",route="\/health",status="200",app="city-node",node="441300"\} 1/,
    );
    expect(text).toMatch(/route="\/tasks\/overdue",status="401"/);
    expect(await scrape(net.nodes[YIBIN].url)).not.toMatch(/route="\/tasks\/overdue"/);
    await request(net.coordinator.url).get('/health').expect(200);
    expect(await scrape(net.coordinator.url)).toMatch(
      /yipanqi_http_requests_total\{[^}]*app="coordinator"/,
    );
  });

  it('counts sent and applied messages and shows the node gauges', async () => {
    const huizhou = net.nodes[HUIZHOU];
    const yibin = net.nodes[YIBIN];
    await establishAgreement(huizhou, yibin, YIBIN, { role: 'inflow' });
    await request(huizhou.url)
      .post('/notices')
      .set('Authorization', bearer(huizhou, 'coordinator'))
      .send({ to: YIBIN, category: 'policy', domain: 'publicity', title: '通报', text: '内容' })
      .expect(202);
    await eventually(
      async () =>
        /outcome="applied",type="notice",reason="none",peer="441300"/.test(await scrape(yibin.url)),
      30000,
      'the applied notice in 宜宾’s metrics',
    );
    const sent = await scrape(huizhou.url);
    expect(sent).toMatch(
      /yipanqi_exchange_messages_total\{outcome="sent",type="notice",reason="none",peer="511500"/,
    );
    expect(sent).toMatch(/yipanqi_dead_letters\{app="city-node",node="441300"\} 0/);
    expect(sent).toMatch(/yipanqi_import_rows\{outcome="valid"/);
  });
});
