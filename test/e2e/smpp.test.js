'use strict';
// SMPP against the package's SMSC simulator over loopback: the same
// reliability as CMPP (every message one outcome through a drop, the window
// never exceeded, throttling retried, malformed PDUs answered, no answer
// ended), receipts over a receiver bind, and the user's errors in words.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { smpp, store } = require('../../dist/src/internal');
const { SmscSimulator } = require('../../dist/src/testing');
const { until, once } = require('../support/wait');

describe('SMPP against the SMSC simulator', function () {
  let sim;
  let client;

  async function setup(options = {}, simOptions = {}) {
    sim = new SmscSimulator({ reportDelayMs: 5, ...simOptions });
    const port = await sim.start();
    client = new smpp.SmppClient({
      host: '127.0.0.1', port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS',
      reconnect: { initialMs: 20, maxMs: 100 }, ...options,
    });
    client.on('error', () => undefined);
    return { sim, client };
  }

  afterEach(async () => {
    await client?.close();
    await sim?.stop();
    client = undefined;
    sim = undefined;
  });

  it('loses nothing when the link drops with 1000 messages under way: each ends with exactly one outcome', async () => {
    await setup({ window: 10, maxQueue: 2000 });
    await client.start();
    sim.faults.responseDelayMs = 2;
    const outcomes = new Map();
    const sends = Array.from({ length: 1000 }, (_, i) =>
      client.send({ to: '886912345678', payload: `alert ${i}` }).then((r) => {
        assert.ok(!outcomes.has(i), `message ${i} got a second outcome`);
        outcomes.set(i, r);
      }));
    await until(() => sim.record.submits.length >= 300, { timeoutMs: 10000, what: '300 submits' });
    const states = [];
    client.on('state', (s) => states.push(s));
    sim.dropLinks();
    await Promise.all(sends);
    assert.equal(outcomes.size, 1000);
    assert.ok([...outcomes.values()].every((r) => r.ok), 'all sent after the reconnect');
    assert.deepEqual(states.slice(0, 3), ['disconnected', 'connecting', 'connected']);
    const reached = new Set(sim.record.submits.filter((s) => s.status === 0).map((s) => s.body.shortMessage.toString()));
    for (let i = 0; i < 1000; i++) assert.ok(reached.has(`alert ${i}`), `alert ${i} reached the SMSC`);
    assert.ok(sim.record.maxUnanswered <= 10, `at most the window unanswered, saw ${sim.record.maxUnanswered}`);
  });

  it('never has more than the window unanswered, and uses all of it', async () => {
    await setup({ window: 4, responseTimeoutMs: 60000 });
    await client.start();
    sim.faults.withholdResponses = true;
    for (let i = 0; i < 12; i++) client.send({ to: '886912345678', payload: `m${i}` }).catch(() => undefined);
    await until(() => sim.record.maxUnanswered === 4, { what: 'the window to fill' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sim.record.maxUnanswered, 4);
    assert.equal(client.session.depth, 12);
  });

  for (const [name, status] of [['ESME_RTHROTTLED', 0x58], ['ESME_RMSGQFUL', 0x14]]) {
    it(`backs off and retries on ${name} instead of failing`, async () => {
      await setup({ flowControl: { initialMs: 5, maxMs: 20 } });
      await client.start();
      sim.faults.throttleEvery = 3;
      sim.faults.throttleStatus = status;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.send({ to: '886912345678', payload: `t${i}` })));
      assert.ok(results.every((r) => r.ok));
      assert.ok(sim.record.submits.some((s) => s.status === status), 'the SMSC did slow it down');
      const accepted = sim.record.submits.filter((s) => s.status === 0).map((s) => s.body.shortMessage.toString()).sort();
      assert.deepEqual(accepted, Array.from({ length: 20 }, (_, i) => `t${i}`).sort(), 'each accepted exactly once');
    });
  }

  it('ends a request the SMSC never answers: SMPP_TIMEOUT after N tries, or SMPP_UNCERTAIN at-most-once', async () => {
    await setup({ responseTimeoutMs: 40, maxTries: 2, enquireLinkIntervalMs: 60000 });
    await client.start();
    sim.faults.withholdResponses = true;
    const result = await client.send({ to: '886912345678', payload: 'nobody answers' });
    assert.equal(result.ok, false);
    assert.equal(result.results[0].code, 'SMPP_TIMEOUT');
    assert.match(result.results[0].description, /did not answer SMPP_submit_sm after 2 tries/);
    await client.close();
    await sim.stop();
    await setup({ responseTimeoutMs: 40, delivery: 'at-most-once', enquireLinkIntervalMs: 60000 });
    await client.start();
    sim.faults.withholdResponses = true;
    const once_ = await client.send({ to: '886912345678', payload: 'maybe' });
    assert.equal(once_.results[0].code, 'SMPP_UNCERTAIN');
    assert.equal(sim.record.maxUnanswered, 1, 'never sent again');
  });

  it('answers a PDU it cannot read with generic_nack and keeps the link; a broken length drops and rebinds', async () => {
    await setup();
    await client.start();
    const errors = [];
    client.on('error', (e) => errors.push(e));
    // An unknown command_id: generic_nack with ESME_RINVCMDID, the link kept.
    const unknown = Buffer.alloc(16);
    unknown.writeUInt32BE(16, 0);
    unknown.writeUInt32BE(0x00000777, 4);
    unknown.writeUInt32BE(31, 12);
    sim.sendRaw(unknown);
    await until(() => sim.record.genericNacks.length === 1, { what: 'the generic_nack' });
    assert.deepEqual(sim.record.genericNacks[0], { status: 0x03, sequenceId: 31 });
    assert.equal(errors[0].code, 'SMPP_UNKNOWN_COMMAND');
    // A deliver_sm whose source_addr never ends: generic_nack, said once, the link kept.
    const bad = Buffer.alloc(16 + 1 + 2 + 30);
    bad.writeUInt32BE(bad.length, 0);
    bad.writeUInt32BE(0x00000005, 4);
    bad.writeUInt32BE(32, 12);
    bad.fill(0x41, 19);
    sim.sendRaw(bad);
    await until(() => sim.record.genericNacks.length === 2, { what: 'the second generic_nack' });
    assert.deepEqual(sim.record.genericNacks[1], { status: 0x08, sequenceId: 32 });
    assert.equal(errors[1].code, 'SMPP_BAD_DELIVER');
    assert.equal(sim.record.binds.length, 1, 'no rebind so far');
    assert.equal((await client.send({ to: '886912345678', payload: 'still here' })).ok, true);
    // A command_length the stream cannot hold: a protocol error, a new bind.
    const broken = Buffer.alloc(8);
    broken.writeUInt32BE(5, 0);
    sim.sendRaw(broken);
    await until(() => sim.record.binds.length === 2, { what: 'the rebind' });
    assert.ok(errors.some((e) => e.code === 'SMPP_PROTOCOL' && /command_length 5 is outside 16\.\./.test(e.message)));
    await until(() => client.state === 'connected');
    assert.equal((await client.send({ to: '886912345678', payload: 'after' })).ok, true);
  });

  it('tests an idle link with enquire_link, and drops it after N unanswered', async () => {
    await setup({ enquireLinkIntervalMs: 20, maxTries: 2 });
    await client.start();
    await until(() => sim.record.enquireLinks >= 1, { what: 'an enquire_link' });
    sim.faults.withholdResponses = true;
    const errors = [];
    client.on('error', (e) => errors.push(e));
    const states = [];
    client.on('state', (s) => states.push(s));
    await until(() => states.includes('disconnected'), { timeoutMs: 3000, what: 'the drop' });
    sim.faults.withholdResponses = false;
    await until(() => client.state === 'connected', { what: 'the rebind' });
  });

  it('unbinds on close, and rebinds after the SMSC unbinds', async () => {
    await setup();
    await client.start();
    await client.close();
    assert.equal(sim.record.unbinds, 1);
    await sim.stop();
    await setup();
    await client.start();
    const rebound = once(sim, 'bind');
    sim.unbindAll();
    await rebound;
    assert.equal(sim.record.binds.length, 2);
  });

  it('with transmitter-receiver binds sends on the transmitter and takes receipts on the receiver', async () => {
    await setup({ bindMode: 'transmitter-receiver' });
    await client.start();
    await until(() => client.session.linksUp === 2, { what: 'both binds' });
    assert.deepEqual(sim.record.binds.map((b) => b.mode).sort(), ['receiver', 'transmitter']);
    const report = once(client, 'report');
    const result = await client.send({ to: '886912345678', payload: 'two binds', registeredDelivery: true });
    const [r] = await report;
    assert.equal(r.id, result.results[0].id);
    assert.equal(r.status, 'delivered');
    const transmitter = sim.record.binds.find((b) => b.mode === 'transmitter').session;
    assert.equal(sim.record.submits[0].session, transmitter, 'sent on the transmitter bind');
  });

  it('matches receipts whose id is in the other base than submit_sm_resp\'s, per part, with the correlation', async () => {
    await setup({}, { idFormat: 'hex', receiptIdFormat: 'other', receiptTlvs: false, reportStat: (to) => (to === '886900000000' ? 'UNDELIV' : 'DELIVRD') });
    await client.start();
    const reports = [];
    client.on('report', (r) => reports.push(r));
    const long = 'Pump 3 stopped at 10:42; tank level low, check the valves. '.repeat(4);
    const result = await client.send({ to: ['886912345678', '886900000000'], payload: long, registeredDelivery: true, correlation: { n: 1 } });
    assert.equal(result.ok, true);
    assert.equal(result.parts, 2);
    await until(() => reports.length === 2, { what: 'a report per recipient' });
    const byTo = Object.fromEntries(reports.map((r) => [r.to, r]));
    assert.equal(byTo['886912345678'].status, 'delivered');
    assert.equal(byTo['886900000000'].status, 'undeliverable');
    assert.ok(reports.every((r) => r.matched && r.parts.total === 2 && r.correlation.n === 1));
  });

  it('carries long text as one message_payload when told, and joins SAR and payload messages from phones', async () => {
    await setup({ longMessages: 'payload' });
    await client.start();
    const long = '警報：機房溫度過高，請立即檢查。'.repeat(10);
    const result = await client.send({ to: '886912345678', payload: long });
    assert.equal(result.parts, 1);
    assert.equal(sim.record.submits[0].body.smLength, 0);
    assert.equal(sim.record.submits[0].body.tlvs.messagePayload.length, long.length * 2);
    await until(() => (sim.inboxes.get('886912345678') ?? []).length === 1);
    assert.deepEqual([sim.inboxes.get('886912345678')[0].text, sim.inboxes.get('886912345678')[0].via], [long, 'single']);
    for (const via of ['sar', 'payload']) {
      const got = once(client, 'message');
      await sim.injectMo({ from: '886911111111', to: 'ALERTS', text: long, via, order: via === 'sar' ? [2, 0, 1] : undefined });
      const [sms] = await got;
      assert.equal(sms.payload, long, via);
      assert.equal(sms.from, '886911111111');
    }
  });

  it('reports a receipt the SMSC sends twice (its answer lost) once', async () => {
    // An unexpected receipt would be reported, unmatched, after this short hold.
    await setup({ reports: { earlyHoldMs: 20 } });
    await client.start();
    const reports = [];
    client.on('report', (r) => reports.push(r));
    const result = await client.send({ to: '886912345678', payload: 'once', registeredDelivery: true });
    await until(() => reports.length === 1, { what: 'the receipt' });
    const id = result.results[0].id;
    const text = Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:2611251015 done date:2611251016 stat:DELIVRD err:000 text:once`);
    await sim.deliverRaw({ sourceAddr: '886912345678', destinationAddr: 'ALERTS', esmClass: 0x04, dataCoding: 0, smLength: text.length, shortMessage: text });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(reports.length, 1, 'one report for one message');
    assert.equal(sim.record.deliverResps.filter((d) => d.status === 0).length, 2, 'both answered');
  });

  it('sends from a number as TON 1 / NPI 1 without its +, and from a name as TON 5 / NPI 0; a refused number is said with its status', async () => {
    await setup();
    await client.start();
    sim.faults.refuseDestinations = ['886900000000'];
    await client.send({ to: '+886912345678', payload: 'a', from: '+447700900123' });
    await client.send({ to: '886912345678', payload: 'b', from: 'ALERTS' });
    const [byNumber, byName] = sim.record.submits;
    assert.deepEqual([byNumber.body.sourceAddr, byNumber.body.sourceAddrTon, byNumber.body.sourceAddrNpi, byNumber.body.destinationAddr], ['447700900123', 1, 1, '886912345678']);
    assert.deepEqual([byName.body.sourceAddr, byName.body.sourceAddrTon, byName.body.sourceAddrNpi], ['ALERTS', 5, 0]);
    const refused = await client.send({ to: '886900000000', payload: 'c' });
    assert.deepEqual([refused.ok, refused.results[0].code], [false, 0x0b]);
    assert.match(refused.results[0].description, /^ESME_RINVDSTADR \(0x0000000b\): the destination number is invalid$/);
  });

  it('sends a Buffer as binary (data_coding 4), in parts when long', async () => {
    await setup();
    await client.start();
    const data = Buffer.from(Array.from({ length: 200 }, (_, i) => i & 0xff));
    const result = await client.send({ to: '886912345678', payload: data });
    assert.deepEqual([result.ok, result.encoding, result.parts], [true, 'binary', 2]);
    assert.ok(sim.record.submits.every((s) => s.body.dataCoding === 4 && s.body.esmClass === 0x40));
    await until(() => (sim.inboxes.get('886912345678') ?? []).length === 1);
    assert.deepEqual(sim.inboxes.get('886912345678')[0].data, data);
  });

  it('says plainly what is wrong with a bind, a number or a text before anything is sent', async () => {
    await setup({ password: 'wrong', reconnect: false });
    await assert.rejects(client.start(), { code: 'SMPP_BIND', message: /ESME_RINVPASWD \(0x0000000e\): the password is wrong; check the system_id and password/ });
    await client.close();
    await sim.stop();
    await setup();
    await client.start();
    await assert.rejects(client.send({ to: 'not a number', payload: 'x' }), { code: 'SMS_FIELD', field: 'to' });
    await assert.rejects(client.send({ to: '886912345678', payload: '' }), { code: 'SMS_EMPTY' });
    await assert.rejects(client.send({ to: '886912345678', payload: 'x'.repeat(2000), maxParts: 3 }), { code: 'SMS_TOO_MANY_PARTS' });
    const refused = await client.send({ to: '886912345678', payload: 'x', from: 'A'.repeat(21) }).catch((e) => e);
    assert.equal(refused.results?.[0]?.code ?? refused.code, 'SMPP_FIELD');
  });

  it('with a SQLite store, messages queued behind an absent SMSC are sent after a restart, each with one outcome and its receipt', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpp-store-'));
    const file = path.join(dir, 'smpp.sqlite');
    // A port nobody listens on yet: the first process never binds.
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const port = probe.address().port;
    await new Promise((r) => probe.close(r));
    const options = { host: '127.0.0.1', port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', reconnect: { initialMs: 20, maxMs: 50 }, queueTimeoutMs: 0 };
    const first = new smpp.SmppClient({ ...options, store: new store.SqliteStore({ file }) });
    first.on('error', () => undefined);
    first.start().catch(() => undefined);
    for (let i = 0; i < 50; i++) first.send({ to: '886912345678', payload: `kept ${i}`, registeredDelivery: true, correlation: { n: i }, origin: 'node-1' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    await first.close();
    await first.session.store.close();

    sim = new SmscSimulator({ port, reportDelayMs: 5 });
    await sim.start();
    client = new smpp.SmppClient({ ...options, store: new store.SqliteStore({ file }) });
    client.on('error', () => undefined);
    const carried = [];
    const reports = [];
    client.on('carried', (c) => carried.push(c));
    client.on('report', (r) => reports.push(r));
    await client.start();
    await until(() => carried.length === 50 && reports.length === 50, { timeoutMs: 10000, what: '50 outcomes and 50 receipts' });
    assert.deepEqual(carried.map((c) => c.correlation.n).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.ok(carried.every((c) => c.result.ok && c.result.carriedOver && c.origin === 'node-1'));
    assert.ok(reports.every((r) => r.matched && r.status === 'delivered'));
    assert.equal(sim.record.submits.length, 50, 'each sent once');
    await client.close();
    await client.session.store.close();
    client = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
