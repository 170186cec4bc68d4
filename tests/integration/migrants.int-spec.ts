/**
 * The migrant flow between real city nodes over the real broker: arrival at
 * 惠州 or 深圳 reaches 宜宾 (the outflow node), a departure from 惠州 to 深圳
 * makes 深圳 expect the person, updates travel either way, every read of a
 * person is access-logged, nothing personal is stored in clear, and bad input
 * is refused with a specific code and changes nothing on either node.
 */
import { Envelope } from '@yipanqi/contracts';
import { encryptPii } from '@yipanqi/crypto';
import { OutboxMessage, OutboxRecord, RejectionRecord } from '@yipanqi/exchange';
import { In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Transactions } from '@yipanqi/persistence';
import { MigrantArrivals } from '../../apps/city-node/src/migrants/migrant-arrivals';
import { chinaToday, validateArrivalRow } from '../../apps/city-node/src/migrants/migrant-rules';
import { establishAgreement } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { arrivalOf, call, migrantState, sendPastTheApi, settled } from '../support/migrants';
import { PeopleGenerator, SyntheticPerson } from '../support/synthetic-people';

const HUIZHOU = '441300';
const SHENZHEN = '440300';
const YIBIN = '511500';
/** in the directory, no node running, no agreement with anyone */
const CHENGDU = '510100';
const PURPOSE = '流动人口信息核查';

interface MigrantRecord {
  id: string;
  side: string;
  status: string;
  inflowNode: string;
  outflowNode: string;
  nextNode: string | null;
  previousRecordId: string | null;
  arrivalRecordId: string | null;
  idNumber?: string;
  name?: string;
  person?: { idNumber: string; name: string; phone?: string; address?: string };
  maritalStatus?: string;
  children?: number;
}
interface Page {
  total: number;
  items: MigrantRecord[];
}

describe('migrants between city nodes', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let shenzhen: TestNode;
  let yibin: TestNode;
  let huizhouYibin: string;
  let huizhouYibinPublicity: string;
  const people = new PeopleGenerator(20261129);

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, SHENZHEN, YIBIN], [HUIZHOU, SHENZHEN, YIBIN, CHENGDU]);
    [huizhou, shenzhen, yibin] = [net.nodes[HUIZHOU], net.nodes[SHENZHEN], net.nodes[YIBIN]];
    const info = { scope: ['information-exchange' as const] };
    [huizhouYibin, huizhouYibinPublicity] = await Promise.all([
      establishAgreement(huizhou, yibin, YIBIN, info),
      establishAgreement(huizhou, yibin, YIBIN, { scope: ['publicity'] }),
      establishAgreement(shenzhen, yibin, YIBIN, info),
      establishAgreement(huizhou, shenzhen, SHENZHEN, info),
    ]);
  });
  afterAll(() => net.stop());

  const register = (node: TestNode, body: unknown) =>
    call<{ id: string; messageId: string; previousRecordId: string | null; code?: string }>(
      node,
      'POST',
      '/migrants/arrivals',
      { body },
    );

  const findByIdNumber = (node: TestNode, idNumber: string) =>
    call<Page>(node, 'GET', `/migrants?idNumber=${idNumber}`, { purpose: PURPOSE });

  /** Registers at `node` and waits until the outflow node holds the record. */
  async function arrived(node: TestNode, body: { idNumber: string }, outflow = yibin) {
    const res = await register(node, body);
    expect(res.status).toBe(201);
    await eventually(
      async () =>
        (await findByIdNumber(outflow, body.idNumber)).body.items.some((r) => r.id === res.body.id),
      30000,
      'the arrival at the outflow node',
    );
    return res.body;
  }

  it('registers an arrival at 惠州 and 宜宾 holds its resident as living in 441300', async () => {
    const person = people.person(YIBIN);
    const registered = await arrived(huizhou, arrivalOf(person, { children: 1 }));

    const found = await findByIdNumber(yibin, person.idNumber);
    expect(found.body.total).toBe(1);
    expect(found.body.items[0]).toMatchObject({
      id: registered.id,
      side: 'outflow',
      status: 'living-elsewhere',
      inflowNode: HUIZHOU,
      outflowNode: YIBIN,
    });
    // a list shows no personal data unless asked
    expect(JSON.stringify(found.body)).not.toContain(person.name);

    const read = await call<MigrantRecord>(yibin, 'GET', `/migrants/${registered.id}`, {
      purpose: PURPOSE,
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      person: { idNumber: person.idNumber, name: person.name, phone: person.phone },
      maritalStatus: 'married',
      children: 1,
    });

    const log = await call<{ recordId: string; purpose: string; recordType: string }[]>(
      yibin,
      'GET',
      `/access-log?recordType=migrant&recordId=${registered.id}`,
      { role: 'admin' },
    );
    // the ID-number search that first found it (arrived), the search above, the read
    expect(log.body.map((e) => e.purpose)).toEqual([PURPOSE, PURPOSE, PURPOSE]);

    // the same person again while registered
    const again = await register(huizhou, arrivalOf(person));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MIGRANT_ALREADY_REGISTERED');

    // the arrival was receipted
    await settled(huizhou);
  });

  it('stores no ID number, name or phone in clear on either node', async () => {
    const person = people.person(YIBIN);
    await arrived(huizhou, arrivalOf(person));
    for (const node of [huizhou, yibin]) {
      const rows: unknown[] = await node.db.query('SELECT * FROM migrant');
      const outbox: unknown[] = await node.db.query('SELECT * FROM exchange_outbox');
      const inbox: unknown[] = await node.db.query('SELECT * FROM exchange_inbox');
      const stored = JSON.stringify([rows, outbox, inbox]);
      expect(stored).not.toContain(person.idNumber);
      expect(stored).not.toContain(person.name);
      expect(stored).not.toContain(person.phone);
    }
  });

  it('announces a departure from 惠州 to 深圳, which expects the person until it registers them', async () => {
    const person = people.person(YIBIN);
    const first = await arrived(huizhou, arrivalOf(person));

    const departure = await call<{
      status: string;
      outflow: { node: string };
      next: { node: string; notified: boolean };
    }>(huizhou, 'POST', `/migrants/${first.id}/departure`, {
      body: { leftOn: '2026-06-30', nextNode: SHENZHEN },
    });
    expect(departure.status).toBe(200);
    expect(departure.body).toMatchObject({
      status: 'departed',
      outflow: { node: YIBIN },
      next: { node: SHENZHEN, notified: true },
    });

    await eventually(
      async () => (await findByIdNumber(shenzhen, person.idNumber)).body.total === 1,
      30000,
      '深圳 expecting the person',
    );
    const expected = (await findByIdNumber(shenzhen, person.idNumber)).body.items[0];
    expect(expected).toMatchObject({ id: first.id, side: 'expected', status: 'expected' });
    const announced = await call<MigrantRecord>(shenzhen, 'GET', `/migrants/${first.id}`, {
      purpose: PURPOSE,
    });
    expect(announced.body.person?.name).toBe(person.name);

    await eventually(
      async () =>
        (await findByIdNumber(yibin, person.idNumber)).body.items[0]?.status === 'departed',
      30000,
      '宜宾 told of the departure',
    );
    expect((await findByIdNumber(yibin, person.idNumber)).body.items[0].nextNode).toBe(SHENZHEN);

    const again = await call(huizhou, 'POST', `/migrants/${first.id}/departure`, {
      body: { leftOn: '2026-07-01' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MIGRANT_ALREADY_DEPARTED');

    // the person arrives at 深圳: the expected entry becomes arrived, 宜宾 learns of 440300
    const second = await arrived(
      shenzhen,
      arrivalOf(person, { arrivedOn: '2026-07-02', address: '南山区8号' }),
    );
    expect(second.previousRecordId).toBe(first.id);
    const nowAtShenzhen = (await findByIdNumber(shenzhen, person.idNumber)).body.items;
    expect(nowAtShenzhen.map((r) => [r.id, r.side, r.status, r.arrivalRecordId]).sort()).toEqual(
      [
        [first.id, 'expected', 'arrived', second.id],
        [second.id, 'inflow', 'registered', null],
      ].sort(),
    );
    const atYibin = (await findByIdNumber(yibin, person.idNumber)).body.items;
    expect(atYibin.map((r) => [r.id, r.inflowNode, r.status, r.previousRecordId]).sort()).toEqual(
      [
        [first.id, HUIZHOU, 'departed', null],
        [second.id, SHENZHEN, 'living-elsewhere', first.id],
      ].sort(),
    );
  });

  it('tells only the outflow node when there is no agreement with the next node, and says why', async () => {
    const person = people.person(YIBIN);
    const first = await arrived(huizhou, arrivalOf(person));
    const res = await call<{ next: { notified: boolean; reason: string } }>(
      huizhou,
      'POST',
      `/migrants/${first.id}/departure`,
      { body: { leftOn: '2026-08-01', nextNode: CHENGDU } },
    );
    expect(res.status).toBe(200);
    expect(res.body.next).toMatchObject({ node: CHENGDU, notified: false, reason: 'NO_AGREEMENT' });

    const other = await arrived(huizhou, arrivalOf(people.person(YIBIN)));
    const unlisted = await call<{ next: { notified: boolean; reason: string } }>(
      huizhou,
      'POST',
      `/migrants/${other.id}/departure`,
      { body: { leftOn: '2026-08-01', nextNode: '370200' } },
    );
    expect(unlisted.body.next).toMatchObject({ notified: false, reason: 'UNKNOWN_PARTNER' });
    const sentToOthers = await huizhou.db.query(
      `SELECT COUNT(*) AS n FROM exchange_outbox WHERE peer IN ('${CHENGDU}', '370200')`,
    );
    expect(Number((sentToOthers as { n: number }[])[0].n)).toBe(0);
  });

  it('carries updates from the inflow node to the outflow node and back', async () => {
    const person = people.person(YIBIN);
    const { id } = await arrived(huizhou, arrivalOf(person));

    const update = await call<{ changed: string[] }>(huizhou, 'PATCH', `/migrants/${id}`, {
      body: { phone: '13912345678', children: 2, maritalStatus: 'married' },
    });
    expect(update.status).toBe(200);
    expect(update.body.changed).toEqual(['phone', 'children']);
    await eventually(
      async () => {
        const r = await call<MigrantRecord>(yibin, 'GET', `/migrants/${id}`, { purpose: PURPOSE });
        return r.body.person?.phone === '13912345678' && r.body.children === 2;
      },
      30000,
      '宜宾 applying the update',
    );

    const back = await call<{ changed: string[] }>(yibin, 'PATCH', `/migrants/${id}`, {
      body: { maritalStatus: 'divorced' },
    });
    expect(back.body.changed).toEqual(['maritalStatus']);
    await eventually(
      async () =>
        (await call<MigrantRecord>(huizhou, 'GET', `/migrants/${id}`, { purpose: PURPOSE })).body
          .maritalStatus === 'divorced',
      30000,
      '惠州 applying the update',
    );

    // the same values again: nothing to tell
    const same = await call<{ changed: string[]; messageId: null }>(
      huizhou,
      'PATCH',
      `/migrants/${id}`,
      { body: { phone: '13912345678' } },
    );
    expect(same.body).toMatchObject({ changed: [], messageId: null });
  });

  it('searches by name, status, origin and period, a page at a time, revealing only with a purpose', async () => {
    const person = people.person(YIBIN);
    const { id } = await arrived(huizhou, arrivalOf(person, { arrivedOn: '2026-03-03' }));

    const byName = await call<Page>(
      huizhou,
      'GET',
      `/migrants?name=${encodeURIComponent(person.name)}`,
      {
        purpose: PURPOSE,
      },
    );
    expect(byName.body.items.map((r) => r.id)).toContain(id);

    const period = await call<Page>(
      huizhou,
      'GET',
      '/migrants?status=registered&outflowNode=511500&arrivedFrom=2026-03-03&arrivedTo=2026-03-03',
    );
    expect(period.body.items.map((r) => r.id)).toEqual([id]);

    const all = await call<Page>(huizhou, 'GET', '/migrants?limit=2&page=1');
    expect(all.body.items).toHaveLength(2);
    expect(all.body.total).toBeGreaterThan(2);
    const page2 = await call<Page>(huizhou, 'GET', '/migrants?limit=2&page=2');
    expect(page2.body.items.map((r) => r.id)).not.toContain(all.body.items[0].id);

    const before = (await migrantState(huizhou)).accessLog;
    const revealed = await call<Page>(huizhou, 'GET', '/migrants?reveal=true&limit=3', {
      role: 'auditor',
      purpose: PURPOSE,
    });
    expect(revealed.body.items.every((r) => typeof r.person?.idNumber === 'string')).toBe(true);
    expect((await migrantState(huizhou)).accessLog).toBe(before + 3);

    const noPurpose = await call(huizhou, 'GET', '/migrants?reveal=true');
    expect([noPurpose.status, noPurpose.body.code]).toEqual([400, 'PURPOSE_REQUIRED']);
  });

  it('registers a batch through the arrival core, refusing rows one by one', async () => {
    const core = huizhou.app.get(MigrantArrivals);
    const registeredBefore = people.person(YIBIN);
    await arrived(huizhou, arrivalOf(registeredBefore));
    const row = (body: object) => {
      const checked = validateArrivalRow({ ...body }, { me: HUIZHOU, today: chinaToday() });
      if (!checked.arrival) throw new Error(JSON.stringify(checked.errors));
      return checked.arrival;
    };
    const fresh = Array.from({ length: 300 }, () => row(arrivalOf(people.person(YIBIN))));
    const batch = [
      ...fresh,
      fresh[0],
      row(arrivalOf(registeredBefore)),
      row({ ...arrivalOf(people.person(YIBIN)), outflowNode: CHENGDU }),
      row({ ...arrivalOf(people.person(YIBIN)), outflowNode: '370200' }),
    ];
    const atYibin = (await migrantState(yibin)).records;

    const prepared = await core.prepare(batch);
    const results = await huizhou.app
      .get(Transactions)
      .run((manager) => core.register(manager, prepared));

    expect(results.slice(0, 300).every((r) => r.outcome === 'registered')).toBe(true);
    expect(results.slice(300).map((r) => (r.outcome === 'refused' ? r.code : r.outcome))).toEqual([
      'MIGRANT_ALREADY_REGISTERED',
      'MIGRANT_ALREADY_REGISTERED',
      'NO_AGREEMENT',
      'UNKNOWN_PARTNER',
    ]);
    await eventually(
      async () => (await migrantState(yibin)).records === atYibin + 300,
      60000,
      'the batch at 宜宾',
    );
  });

  it('registers arrivals in bulk, refusing rows one by one, and 宜宾 receipts each record', async () => {
    const fresh = Array.from({ length: 60 }, () => arrivalOf(people.person(YIBIN)));
    const rows = [
      ...fresh,
      fresh[0], // the same person twice in one request
      { ...arrivalOf(people.person(YIBIN)), idNumber: people.badCheckDigit() },
      { ...arrivalOf(people.person(YIBIN)), nickname: 'x' },
      { ...arrivalOf(people.person(YIBIN)), outflowNode: CHENGDU },
    ];
    const before = await migrantState(yibin);
    const res = await call<{
      results: { row: number; outcome: string; code?: string; messageId?: string }[];
    }>(huizhou, 'POST', '/migrants/arrivals/bulk', { body: { arrivals: rows } });
    expect(res.status).toBe(200);
    const { results } = res.body;
    expect(results.map((r) => r.row)).toEqual(rows.map((_, i) => i));
    expect(results.slice(0, 60).every((r) => r.outcome === 'registered')).toBe(true);
    expect(results.slice(60).map((r) => r.code)).toEqual([
      'MIGRANT_ALREADY_REGISTERED',
      'ID_NUMBER_CHECK_DIGIT',
      'UNKNOWN_FIELD',
      'NO_AGREEMENT',
    ]);
    await eventually(
      async () => (await migrantState(yibin)).records === before.records + 60,
      60000,
      'the bulk at 宜宾',
    );
    // one bulk message (DESIGN §3), its records answered one by one at 惠州
    const ids = results.slice(0, 60).map((r) => r.messageId as string);
    await eventually(
      async () =>
        (await huizhou.db
          .getRepository(OutboxRecord)
          .count({ where: { id: In(ids), outcome: 'accepted' } })) === 60,
      60000,
      'the receipt at 惠州',
    );
    const carriers = new Set(
      (await huizhou.db.getRepository(OutboxRecord).find({ where: { id: In(ids) } })).map(
        (r) => r.messageId,
      ),
    );
    expect(carriers.size).toBe(1);
    const [bulk] = await huizhou.db
      .getRepository(OutboxMessage)
      .find({ where: { id: In([...carriers]) } });
    expect(bulk).toMatchObject({ type: 'migrant.arrival.bulk', answer: 'receipt' });
  });

  it('answers a bulk with one outcome per record: the records it cannot apply are refused alone', async () => {
    const known = (await arrived(huizhou, arrivalOf(people.person(YIBIN)))).id;
    await settled(huizhou);
    const before = await migrantState(yibin);
    const record = (over: { recordId?: string; correlationId?: string; payload?: object } = {}) => {
      const recordId = over.recordId ?? uuidv7();
      return {
        id: uuidv7(),
        correlationId: over.correlationId ?? recordId,
        payload: {
          recordId,
          arrivedOn: '2026-05-01',
          householdDivision: '511502',
          ...over.payload,
        },
      };
    };
    const person = () => ({
      person: (({ household: _h, ...p }: SyntheticPerson) => p)(people.person(YIBIN)),
      maritalStatus: 'married',
    });
    const good = record();
    const records = [
      good,
      record({ recordId: known }), // 宜宾 holds this record already
      record({ correlationId: uuidv7() }), // its thread is not its record
      record({ payload: { householdDivision: '51150' } }), // fails the arrival schema
      { ...record(), id: good.id }, // the same record id twice in one bulk
    ];
    const withPii = async (items: typeof records) =>
      sendPastTheApi(net, huizhou, YIBIN, {
        type: 'migrant.arrival.bulk',
        agreementId: huizhouYibin,
        correlationId: null,
        payload: {
          records: items,
          pii: await encryptPii(
            { records: items.map(() => person()) },
            net.keys[YIBIN].encryption.publicKey,
          ),
        },
      });
    const outcomesOf = async (envelope: Envelope) => {
      const receipt = async () =>
        (await yibin.db.getRepository(OutboxMessage).find({ where: { type: 'receipt' } }))
          .map((row) => JSON.parse(row.envelope) as Envelope)
          .find((e) => e.causationId === envelope.id);
      await eventually(async () => (await receipt()) !== undefined, 30000, 'the bulk receipt');
      const answer = await receipt();
      if (!answer) throw new Error('no receipt');
      expect(answer.v).toBe(2);
      return (answer.payload.outcomes as { id: string; outcome: string; reason?: string }[]).map(
        (o) => [o.id, o.outcome, o.reason ?? null],
      );
    };

    const first = await withPii(records);
    expect(await outcomesOf(first)).toEqual([
      [good.id, 'accepted', null],
      [records[1].id, 'refused', 'SCHEMA_INVALID'],
      [records[2].id, 'refused', 'SCHEMA_INVALID'],
      [records[3].id, 'refused', 'SCHEMA_INVALID'],
      [good.id, 'refused', 'DUPLICATE'],
    ]);
    expect((await migrantState(yibin)).records).toBe(before.records + 1);

    // a record id 宜宾 has received before, in a later bulk: refused DUPLICATE, nothing applied
    const again = await withPii([{ ...record(), id: good.id }, record()]);
    const [repeated, other] = await outcomesOf(again);
    expect(repeated).toEqual([good.id, 'refused', 'DUPLICATE']);
    expect(other[1]).toBe('accepted');
    expect((await migrantState(yibin)).records).toBe(before.records + 2);
  });

  describe('messages 宜宾 cannot apply', () => {
    let shared: string;
    const unknown = '01900000-0000-7000-8000-000000000001';
    const personOf = ({ household: _h, ...person }: SyntheticPerson) => person;
    const toYibin = (value: object) => encryptPii(value, net.keys[YIBIN].encryption.publicKey);

    beforeAll(async () => {
      ({ id: shared } = await arrived(huizhou, arrivalOf(people.person(YIBIN))));
      await settled(huizhou);
    });

    it.each([
      [
        'a departure of a record it does not hold',
        'no record',
        async () => ({
          type: 'migrant.departure',
          correlationId: unknown,
          payload: {
            recordId: unknown,
            leftOn: '2026-05-01',
            outflowNode: YIBIN,
            householdDivision: '511502',
            pii: await toYibin({}),
          },
        }),
      ],
      [
        'an announcement to a node that is not the next one',
        'a departure goes to the outflow node',
        async () => ({
          type: 'migrant.departure',
          correlationId: unknown,
          payload: {
            recordId: unknown,
            leftOn: '2026-05-01',
            nextNode: SHENZHEN,
            outflowNode: '510100',
            householdDivision: '510104',
            pii: await toYibin({ person: personOf(people.person(YIBIN)) }),
          },
        }),
      ],
      [
        'an update whose changed fields are not the ones it carries',
        'changed does not name exactly',
        async () => ({
          type: 'migrant.updated',
          correlationId: shared,
          payload: {
            recordId: shared,
            changed: ['address'],
            pii: await toYibin({ phone: '13600000000' }),
          },
        }),
      ],
      [
        'an arrival whose thread is not its record',
        'correlationId must be the record id',
        async () => ({
          type: 'migrant.arrival',
          correlationId: unknown,
          payload: {
            recordId: '01900000-0000-7000-8000-000000000009',
            arrivedOn: '2026-05-01',
            householdDivision: '511502',
            pii: await toYibin({
              person: personOf(people.person(YIBIN)),
              maritalStatus: 'married',
            }),
          },
        }),
      ],
    ])('rejects %s and changes nothing', async (_what, why, message) => {
      const before = await migrantState(yibin);
      const envelope: Envelope = await sendPastTheApi(net, huizhou, YIBIN, {
        agreementId: huizhouYibin,
        ...(await message()),
      });
      await eventually(
        async () =>
          (await yibin.db
            .getRepository(RejectionRecord)
            .count({ where: { messageId: envelope.id, reason: 'SCHEMA_INVALID' } })) === 1,
        30000,
        'the rejection',
      );
      const rejection = await yibin.db
        .getRepository(RejectionRecord)
        .findOneByOrFail({ messageId: envelope.id });
      expect(rejection.detail).toContain(why);
      const after = await migrantState(yibin);
      expect(after.records).toBe(before.records);
      expect(after.recordsUpdatedAt).toEqual(before.recordsUpdatedAt);
    });
  });

  describe('bad input', () => {
    let recordId: string;
    let departedId: string;

    beforeAll(async () => {
      ({ id: recordId } = await arrived(huizhou, arrivalOf(people.person(YIBIN))));
      ({ id: departedId } = await arrived(huizhou, arrivalOf(people.person(YIBIN))));
      await call(huizhou, 'POST', `/migrants/${departedId}/departure`, {
        body: { leftOn: '2026-09-01' },
      });
      await settled(huizhou);
      await settled(yibin);
    });

    const valid = () => arrivalOf(people.person(YIBIN));
    const UNKNOWN_AGREEMENT = '01900000-0000-7000-8000-0000000000aa';

    interface BadCase {
      what: string;
      method: 'GET' | 'POST' | 'PATCH';
      path: () => string;
      options: () => Parameters<typeof call>[3];
      status: number;
      code: string;
    }
    const arrivals = '/migrants/arrivals';
    const departure = () => `/migrants/${recordId}/departure`;
    const record = () => `/migrants/${recordId}`;
    const badCases: BadCase[] = [
      // POST /migrants/arrivals
      {
        what: 'arrival: malformed JSON',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ rawBody: '{"idNumber": ' }),
        status: 400,
        code: 'MALFORMED_JSON',
      },
      {
        what: 'arrival: wrong types',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), children: 'two', name: 7 } }),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        what: 'arrival: unknown field',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), religion: 'x' } }),
        status: 400,
        code: 'UNKNOWN_FIELD',
      },
      {
        what: 'arrival: bad check digit',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), idNumber: people.badCheckDigit() } }),
        status: 400,
        code: 'ID_NUMBER_CHECK_DIGIT',
      },
      {
        what: 'arrival: impossible birth date',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), idNumber: people.impossibleBirthDate() } }),
        status: 400,
        code: 'ID_NUMBER_BIRTH_DATE',
      },
      {
        what: 'arrival: in the future',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), arrivedOn: '2099-01-01' } }),
        status: 400,
        code: 'DATE_IN_FUTURE',
      },
      {
        what: 'arrival: household registered here',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: arrivalOf(people.person(HUIZHOU)) }),
        status: 400,
        code: 'OUTFLOW_IS_THIS_NODE',
      },
      {
        what: 'arrival: unknown agreement',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), agreementId: UNKNOWN_AGREEMENT } }),
        status: 422,
        code: 'NO_AGREEMENT',
      },
      {
        what: 'arrival: agreement without information exchange',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), agreementId: huizhouYibinPublicity } }),
        status: 422,
        code: 'OUT_OF_SCOPE',
      },
      {
        what: 'arrival: outflow node without keys',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), outflowNode: '370200' } }),
        status: 422,
        code: 'UNKNOWN_PARTNER',
      },
      {
        what: 'arrival: outflow node without agreement',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ body: { ...valid(), outflowNode: CHENGDU } }),
        status: 422,
        code: 'NO_AGREEMENT',
      },
      {
        what: 'arrival: auditor',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ role: 'auditor', body: valid() }),
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        what: 'arrival: no token',
        method: 'POST',
        path: () => arrivals,
        options: () => ({ role: null, body: valid() }),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      // POST /migrants/:id/departure
      {
        what: 'departure: malformed JSON',
        method: 'POST',
        path: departure,
        options: () => ({ rawBody: '{"leftOn"' }),
        status: 400,
        code: 'MALFORMED_JSON',
      },
      {
        what: 'departure: wrong types',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: 20260901, nextNode: 440300 } }),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        what: 'departure: unknown field',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2026-09-01', reason: 'x' } }),
        status: 400,
        code: 'UNKNOWN_FIELD',
      },
      {
        what: 'departure: impossible date',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2026-02-30' } }),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        what: 'departure: before the arrival',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2025-12-31' } }),
        status: 422,
        code: 'DEPARTURE_BEFORE_ARRIVAL',
      },
      {
        what: 'departure: to this node',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2026-09-01', nextNode: HUIZHOU } }),
        status: 422,
        code: 'NEXT_NODE_IS_THIS_NODE',
      },
      {
        what: 'departure: unknown agreement',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2026-09-01', agreementId: UNKNOWN_AGREEMENT } }),
        status: 422,
        code: 'NO_AGREEMENT',
      },
      {
        what: 'departure: agreement without information exchange',
        method: 'POST',
        path: departure,
        options: () => ({ body: { leftOn: '2026-09-01', agreementId: huizhouYibinPublicity } }),
        status: 422,
        code: 'OUT_OF_SCOPE',
      },
      {
        what: 'departure: named next agreement unknown',
        method: 'POST',
        path: departure,
        options: () => ({
          body: { leftOn: '2026-09-01', nextNode: SHENZHEN, nextAgreementId: UNKNOWN_AGREEMENT },
        }),
        status: 422,
        code: 'NO_AGREEMENT',
      },
      {
        what: 'departure: unknown record',
        method: 'POST',
        path: () => '/migrants/01900000-0000-7000-8000-000000000002/departure',
        options: () => ({ body: { leftOn: '2026-09-01' } }),
        status: 404,
        code: 'MIGRANT_NOT_FOUND',
      },
      {
        what: 'departure: already departed',
        method: 'POST',
        path: () => `/migrants/${departedId}/departure`,
        options: () => ({ body: { leftOn: '2026-09-02' } }),
        status: 409,
        code: 'MIGRANT_ALREADY_DEPARTED',
      },
      {
        what: 'departure: auditor',
        method: 'POST',
        path: departure,
        options: () => ({ role: 'auditor', body: { leftOn: '2026-09-01' } }),
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        what: 'departure: no token',
        method: 'POST',
        path: departure,
        options: () => ({ role: null, body: { leftOn: '2026-09-01' } }),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      // PATCH /migrants/:id
      {
        what: 'update: malformed JSON',
        method: 'PATCH',
        path: record,
        options: () => ({ rawBody: '{phone: 1}' }),
        status: 400,
        code: 'MALFORMED_JSON',
      },
      {
        what: 'update: wrong types',
        method: 'PATCH',
        path: record,
        options: () => ({ body: { children: '3', address: 5 } }),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        what: 'update: identity is not updatable',
        method: 'PATCH',
        path: record,
        options: () => ({ body: { idNumber: people.person(YIBIN).idNumber } }),
        status: 400,
        code: 'UNKNOWN_FIELD',
      },
      {
        what: 'update: nothing named',
        method: 'PATCH',
        path: record,
        options: () => ({ body: {} }),
        status: 400,
        code: 'NOTHING_TO_UPDATE',
      },
      {
        what: 'update: unknown agreement',
        method: 'PATCH',
        path: record,
        options: () => ({ body: { phone: '13700000000', agreementId: UNKNOWN_AGREEMENT } }),
        status: 422,
        code: 'NO_AGREEMENT',
      },
      {
        what: 'update: agreement without information exchange',
        method: 'PATCH',
        path: record,
        options: () => ({ body: { phone: '13700000000', agreementId: huizhouYibinPublicity } }),
        status: 422,
        code: 'OUT_OF_SCOPE',
      },
      {
        what: 'update: departed record',
        method: 'PATCH',
        path: () => `/migrants/${departedId}`,
        options: () => ({ body: { phone: '13700000000' } }),
        status: 409,
        code: 'MIGRANT_NOT_ACTIVE',
      },
      {
        what: 'update: unknown record',
        method: 'PATCH',
        path: () => '/migrants/01900000-0000-7000-8000-000000000003',
        options: () => ({ body: { phone: '13700000000' } }),
        status: 404,
        code: 'MIGRANT_NOT_FOUND',
      },
      {
        what: 'update: auditor',
        method: 'PATCH',
        path: record,
        options: () => ({ role: 'auditor', body: { phone: '13700000000' } }),
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        what: 'update: no token',
        method: 'PATCH',
        path: record,
        options: () => ({ role: null, body: { phone: '13700000000' } }),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      // GET /migrants and /migrants/:id
      {
        what: 'search: bad check digit',
        method: 'GET',
        path: () => `/migrants?idNumber=${people.badCheckDigit()}`,
        options: () => ({ purpose: PURPOSE }),
        status: 400,
        code: 'ID_NUMBER_CHECK_DIGIT',
      },
      {
        what: 'search: impossible birth date',
        method: 'GET',
        path: () => `/migrants?idNumber=${people.impossibleBirthDate()}`,
        options: () => ({ purpose: PURPOSE }),
        status: 400,
        code: 'ID_NUMBER_BIRTH_DATE',
      },
      {
        what: 'search: wrong type',
        method: 'GET',
        path: () => '/migrants?limit=many',
        options: () => ({}),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      {
        what: 'search: unknown filter',
        method: 'GET',
        path: () => '/migrants?religion=x',
        options: () => ({}),
        status: 400,
        code: 'UNKNOWN_FIELD',
      },
      {
        what: 'search: ID number without purpose',
        method: 'GET',
        path: () => `/migrants?idNumber=${people.person(YIBIN).idNumber}`,
        options: () => ({}),
        status: 400,
        code: 'PURPOSE_REQUIRED',
      },
      {
        what: 'search: admin',
        method: 'GET',
        path: () => '/migrants',
        options: () => ({ role: 'admin' }),
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        what: 'search: no token',
        method: 'GET',
        path: () => '/migrants',
        options: () => ({ role: null }),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        what: 'read: no purpose',
        method: 'GET',
        path: record,
        options: () => ({}),
        status: 400,
        code: 'PURPOSE_REQUIRED',
      },
      {
        what: 'read: unknown record',
        method: 'GET',
        path: () => '/migrants/01900000-0000-7000-8000-000000000004',
        options: () => ({ purpose: PURPOSE }),
        status: 404,
        code: 'MIGRANT_NOT_FOUND',
      },
      {
        what: 'read: admin',
        method: 'GET',
        path: record,
        options: () => ({ role: 'admin', purpose: PURPOSE }),
        status: 403,
        code: 'FORBIDDEN',
      },
    ];

    it.each(badCases.map((c) => [c.what, c]))(
      'refuses %s and changes nothing on either node',
      async (_what, c) => {
        const before = await Promise.all([huizhou, yibin, shenzhen].map(migrantState));
        const res = await call(huizhou, c.method, c.path(), c.options());
        expect([res.status, res.body?.code]).toEqual([c.status, c.code]);
        expect(JSON.stringify(res.body)).not.toMatch(/\d{17}[\dX]/);
        // give a message that should not exist the time to arrive
        await new Promise((r) => setTimeout(r, 300));
        expect(await Promise.all([huizhou, yibin, shenzhen].map(migrantState))).toEqual(before);
      },
    );
  });
});

describe('migrants on PostgreSQL', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], 'postgres');
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN, {
      scope: ['information-exchange'],
    });
  });
  afterAll(() => net.stop());

  it('registers an arrival once, reaches the outflow node, and keeps the person encrypted', async () => {
    const [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    const person = new PeopleGenerator(7).person(YIBIN);
    // two requests for one person at once: one registers, the other is refused
    const results = await Promise.all(
      [1, 2].map(() => call(huizhou, 'POST', '/migrants/arrivals', { body: arrivalOf(person) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('MIGRANT_ALREADY_REGISTERED');
    await eventually(
      async () =>
        (
          await call<Page>(yibin, 'GET', `/migrants?idNumber=${person.idNumber}`, {
            purpose: PURPOSE,
          })
        ).body.total === 1,
      30000,
      'the arrival at 宜宾',
    );
    for (const node of [huizhou, yibin]) {
      const stored = JSON.stringify(await node.db.query('SELECT * FROM migrant'));
      expect(stored).not.toContain(person.idNumber);
      expect(stored).not.toContain(person.name);
      expect(stored).not.toContain(person.phone);
    }
  });
});
