'use strict';
// The CMPP client against the ISMG simulator over loopback TCP.
const assert = require('node:assert/strict');
const { cmpp, SmsError } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until, once, sleep } = require('../support/wait');

const SP = { spId: '901234', sharedSecret: 'secret' };

async function setup(clientOptions = {}, simOptions = {}) {
  const sim = new testing.IsmgSimulator({ reportDelayMs: 10, ...simOptions });
  const port = await sim.start();
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, ...SP, srcId: '1069001', reconnect: { initialMs: 20, maxMs: 100 }, ...clientOptions });
  client.on('error', () => undefined);
  return { sim, client, port };
}

for (const version of [0x30, 0x20]) {
  const v = version === 0x30 ? '3.0' : '2.0';
  describe(`CMPP ${v} client against the ISMG simulator`, function () {
    let sim;
    let client;
    beforeEach(async () => {
      ({ sim, client } = await setup({ version }));
      await client.start();
    });
    afterEach(async () => {
      await client.close();
      await sim.stop();
    });

    it('logs in with a verified authenticator and the configured version', () => {
      assert.deepEqual(sim.record.connects.map((c) => [c.spId, c.version, c.status]), [['901234', version, 0]]);
      assert.equal(client.state, 'connected');
    });

    it('sends a short message: one SUBMIT with the fields a gateway expects', async () => {
      const result = await client.send({ to: '13800138000', payload: 'Hello from Node-RED' });
      assert.equal(result.ok, true);
      assert.equal(result.parts, 1);
      assert.equal(result.encoding, 'ascii');
      assert.deepEqual(result.results.map((r) => [r.to, r.part, r.ok, r.code]), [['13800138000', 1, true, 0]]);
      assert.equal(result.results[0].id, sim.record.submits[0].msgId);
      const body = sim.record.submits[0].body;
      assert.equal(sim.record.submits[0].version, version);
      assert.deepEqual([body.pkTotal, body.pkNumber, body.tpUdhi, body.msgFmt, body.srcId, body.msgSrc], [1, 1, 0, 0, '1069001', '901234']);
      assert.equal(body.msgContent.toString(), 'Hello from Node-RED');
      assert.deepEqual(sim.inboxes.get('13800138000').map((m) => m.text), ['Hello from Node-RED']);
    });

    it('sends a long message as UCS-2 parts with UDH and Pk_total / Pk_number', async () => {
      const text = '告警：机房温度过高，请立即检查空调系统。'.repeat(8);
      const result = await client.send({ to: ['13800138000'], payload: text });
      assert.equal(result.ok, true);
      assert.equal(result.encoding, 'ucs2');
      assert.equal(result.parts, 3);
      const bodies = sim.record.submits.map((s) => s.body).sort((a, b) => a.pkNumber - b.pkNumber);
      for (const [i, body] of bodies.entries()) {
        assert.deepEqual([body.pkTotal, body.pkNumber, body.tpUdhi, body.msgFmt], [3, i + 1, 1, 8]);
        assert.ok(body.msgContent.length <= 140);
        assert.equal(body.msgContent.subarray(0, 3).toString('hex'), '050003');
        assert.equal(body.msgContent[4], 3);
        assert.equal(body.msgContent[5], i + 1);
      }
      assert.equal(new Set(bodies.map((b) => b.msgContent[3])).size, 1, 'one reference for all parts');
      await until(() => sim.inboxes.get('13800138000'), { what: 'the phone to get the message' });
      assert.equal(sim.inboxes.get('13800138000')[0].text, text);
    });

    it('sends to many numbers, at most 99 per SUBMIT, with one Msg_Id per recipient', async () => {
      const numbers = Array.from({ length: 150 }, (_, i) => `1380000${String(i).padStart(4, '0')}`);
      const result = await client.send({ to: numbers.join(','), payload: 'mass alert' });
      assert.equal(result.ok, true);
      assert.deepEqual(sim.record.submits.map((s) => s.body.destUsrTl).sort(), [51, 99]);
      assert.equal(result.results.length, 150);
      assert.deepEqual(result.results.map((r) => r.to), numbers);
      assert.equal(new Set(result.results.map((r) => r.id)).size, 150);
      const first = sim.record.submits.find((s) => s.body.destUsrTl === 99);
      assert.equal(result.results[1].id, cmpp.msgIdPlus(first.msgId, 1));
    });

    it('matches status reports to the send, combining a long message\'s parts, with the correlation data', async () => {
      const reports = [];
      client.on('report', (r) => reports.push(r));
      const text = 'x'.repeat(300);
      const result = await client.send({ to: ['13800138000', '13900139000'], payload: text, registeredDelivery: true, correlation: { ticket: 42 } });
      assert.equal(result.parts, 3);
      await until(() => reports.length === 2, { what: 'two combined reports' });
      for (const report of reports) {
        assert.equal(report.status, 'delivered');
        assert.equal(report.detail, 'DELIVRD');
        assert.deepEqual(report.parts, { total: 3, delivered: 3, failed: 0 });
        assert.deepEqual(report.correlation, { ticket: 42 });
        assert.equal(report.matched, true);
        const first = result.results.find((r) => r.to === report.to && r.part === 1);
        assert.equal(report.id, first.id);
        assert.match(report.doneAt, /^20\d\d-\d\d-\d\dT\d\d:\d\d:00\+08:00$/);
      }
      assert.deepEqual(reports.map((r) => r.to).sort(), ['13800138000', '13900139000']);
      await until(() => sim.record.deliverResps.length === 6, { what: 'every report to be answered' });
    });

    it('reports a failed part: the message takes the failed part\'s state', async () => {
      await client.close();
      await sim.stop();
      ({ sim, client } = await setup({ version }, { reportStat: (to) => (to === '13900139000' ? 'UNDELIV' : 'DELIVRD') }));
      await client.start();
      const reports = [];
      client.on('report', (r) => reports.push(r));
      await client.send({ to: ['13800138000', '13900139000'], payload: 'y'.repeat(200), registeredDelivery: true });
      await until(() => reports.length === 2);
      const bad = reports.find((r) => r.to === '13900139000');
      assert.deepEqual([bad.status, bad.detail, bad.parts], ['undeliverable', 'UNDELIV', { total: 2, delivered: 0, failed: 2 }]);
      assert.equal(reports.find((r) => r.to === '13800138000').status, 'delivered');
    });

    it('receives a short mobile-originated message and answers DELIVER_RESP', async () => {
      const [[sms]] = await Promise.all([once(client, 'message'), sim.injectMo({ from: '13800138000', to: '1069001', text: 'STOP' })]);
      assert.equal(sms.payload, 'STOP');
      assert.equal(sms.from, '13800138000');
      assert.equal(sms.to, '1069001');
      assert.deepEqual([sms.sms.channel, sms.sms.encoding, sms.sms.parts, sms.sms.incomplete], ['cmpp', 'ascii', 1, false]);
      assert.equal(sim.record.deliverResps.length, 1);
      assert.equal(sim.record.deliverResps[0].result, 0);
    });

    it('joins a long mobile-originated message whose parts arrive out of order', async () => {
      const text = '请帮我查询一下今天的账单明细，谢谢！'.repeat(8);
      const [[sms]] = await Promise.all([once(client, 'message'), sim.injectMo({ from: '13800138000', to: '1069001', text, order: [2, 0, 1] })]);
      assert.equal(sms.payload, text);
      assert.equal(sms.sms.parts, 3);
      assert.equal(sms.sms.encoding, 'ucs2');
      assert.equal(sms.sms.raw.length, 3);
    });

    it('answers QUERY and CANCEL', async () => {
      const result = await client.send({ to: '13800138000', payload: 'q' });
      const counts = await client.query('20261122');
      assert.equal(counts.mtTlMsg, 1);
      assert.equal(await client.cancel(result.results[0].id), true);
      assert.equal(await client.cancel('1'), false);
    });
  });
}

describe('CMPP client: failures and recovery', function () {
  let sim;
  let client;
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
  });

  it('fails the login with a clear error when the shared secret is wrong, and fails what waits', async () => {
    ({ sim, client } = await setup({ sharedSecret: 'wrong' }));
    const waiting = client.send({ to: '13800138000', payload: 'x' }).then((r) => r, (e) => e);
    await assert.rejects(client.start(), (err) => err.code === 'CMPP_AUTH' && /wrong shared secret/.test(err.message));
    assert.equal(client.state, 'failed');
    const outcome = await waiting;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.results[0].code, 'CMPP_AUTH');
    assert.equal(sim.record.connects[0].status, 3);
  });

  it('says so when the gateway does not know the SP_Id', async () => {
    ({ sim, client } = await setup({ spId: '999999' }));
    await assert.rejects(client.start(), /does not know this SP_Id/);
  });

  it('refuses a gateway whose AuthenticatorISMG does not match', async () => {
    ({ sim, client } = await setup());
    sim.faults.badAuthenticator = true;
    await assert.rejects(client.start(), (err) => err.code === 'CMPP_AUTH' && /AuthenticatorISMG does not match/.test(err.message));
  });

  it('resends a request unanswered after T, and succeeds', async () => {
    ({ sim, client } = await setup({ responseTimeoutMs: 100 }));
    await client.start();
    sim.faults.ignoreSubmits = 1;
    const result = await client.send({ to: '13800138000', payload: 'again' });
    assert.equal(result.ok, true);
    assert.equal(sim.record.submits.length, 2);
    assert.notEqual(sim.record.submits[0].sequenceId, sim.record.submits[1].sequenceId, 'a resend takes a new Sequence_Id');
  });

  it('fails after N tries with the reason', async () => {
    ({ sim, client } = await setup({ responseTimeoutMs: 50, maxTries: 3 }));
    await client.start();
    sim.faults.ignoreSubmits = 100;
    const result = await client.send({ to: '13800138000', payload: 'lost' });
    assert.equal(result.ok, false);
    assert.equal(result.results[0].code, 'CMPP_TIMEOUT');
    assert.match(result.results[0].description, /did not answer CMPP_SUBMIT after 3 tries, 0.05 s apart/);
    assert.equal(sim.record.submits.length, 3);
  });

  it('backs off and retries on Result 8 (flow control) instead of failing', async () => {
    ({ sim, client } = await setup({ flowControl: { initialMs: 10, maxMs: 40 } }));
    await client.start();
    sim.faults.flowControlSubmits = 3;
    const result = await client.send({ to: '13800138000', payload: 'slowly' });
    assert.equal(result.ok, true);
    assert.deepEqual(sim.record.submits.map((s) => s.result), [8, 8, 8, 0]);
  });

  it('never has more than the window unanswered, and uses all of it', async () => {
    ({ sim, client } = await setup({ window: 16 }));
    await client.start();
    sim.faults.responseDelayMs = 20;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.send({ to: '13800138000', payload: `n${i}` })));
    assert.ok(results.every((r) => r.ok));
    assert.equal(sim.record.maxUnanswered, 16);
  });

  it('loses nothing when the link drops with messages in flight: each ends with exactly one outcome', async () => {
    ({ sim, client } = await setup({ window: 8 }));
    await client.start();
    sim.faults.responseDelayMs = 30;
    const outcomes = new Map();
    const sends = Array.from({ length: 60 }, (_, i) =>
      client.send({ to: '13800138000', payload: `m${i}` }).then((r) => {
        assert.ok(!outcomes.has(i), `message ${i} got a second outcome`);
        outcomes.set(i, r);
      }));
    await until(() => sim.record.submits.length >= 10);
    const states = [];
    client.on('state', (s) => states.push(s));
    sim.dropLinks();
    await Promise.all(sends);
    assert.equal(outcomes.size, 60);
    assert.ok([...outcomes.values()].every((r) => r.ok), 'all sent after the reconnect');
    assert.deepEqual(states.slice(0, 3), ['disconnected', 'connecting', 'connected']);
    const delivered = new Set(sim.record.submits.filter((s) => s.result === 0).map((s) => s.body.msgContent.toString()));
    for (let i = 0; i < 60; i++) assert.ok(delivered.has(`m${i}`), `m${i} reached the gateway`);
  });

  it('treats a malformed frame from the gateway as a protocol error: a clear error, a reconnect, no crash', async () => {
    ({ sim, client } = await setup());
    await client.start();
    const errors = [];
    client.on('error', (e) => errors.push(e));
    const reconnected = until(() => sim.record.connects.length === 2, { what: 'the reconnect' });
    sim.sendMalformed('length');
    await reconnected;
    assert.equal(errors[0].code, 'CMPP_PROTOCOL');
    assert.match(errors[0].message, /malformed frame \(frame: Total_Length 5 is outside 12..16384/);
    await until(() => client.state === 'connected');
    assert.equal((await client.send({ to: '13800138000', payload: 'still here' })).ok, true);
    // A well-framed message with an unknown Command_Id is skipped, the link kept.
    sim.sendMalformed('command');
    await until(() => errors.length === 2, { what: 'the unknown command to be reported' });
    assert.equal(errors[1].code, 'CMPP_UNKNOWN_COMMAND');
    assert.match(errors[1].message, /Command_Id 0x00000099, which is not CMPP 3\.0; skipped/);
    assert.equal((await client.send({ to: '13800138000', payload: 'same link' })).ok, true);
    assert.equal(sim.record.connects.length, 2);
  });

  it('answers the gateway\'s ACTIVE_TEST and TERMINATE, and reconnects after a TERMINATE', async () => {
    ({ sim, client } = await setup({}, { activeTestIntervalMs: 20 }));
    await client.start();
    await until(() => sim.record.activeTestResps >= 2, { what: 'ACTIVE_TEST_RESPs' });
    sim.terminate();
    await until(() => sim.record.connects.length === 2, { what: 'the reconnect after TERMINATE' });
  });

  it('tests an idle link with ACTIVE_TEST, and drops it after N unanswered', async () => {
    ({ sim, client } = await setup({ activeTestIntervalMs: 30, maxTries: 2 }));
    await client.start();
    await until(() => sim.record.activeTests >= 1, { what: 'an ACTIVE_TEST' });
    sim.faults.withholdResponses = true;
    await until(() => sim.record.connects.length >= 2, { what: 'the link to be dropped and made again' });
  });

  it('queues over the send rate instead of refusing, in order', async () => {
    ({ sim, client } = await setup({ ratePerSecond: 10 }));
    await client.start();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.send({ to: '13800138000', payload: `r${i}` })));
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(sim.record.submits.map((s) => s.body.msgContent.toString()), Array.from({ length: 20 }, (_, i) => `r${i}`));
  });

  it('bounds the queue and says so when it is full', async () => {
    ({ sim, client } = await setup({ window: 1, maxQueue: 3 }));
    await client.start();
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 5 }, () => client.send({ to: '13800138000', payload: 'q' }));
    const settled = await Promise.race([Promise.allSettled(sends.slice(4)), sleep(500).then(() => null)]);
    assert.ok(settled, 'the fifth send is refused at once');
    assert.equal(settled[0].value.ok, false);
    assert.equal(settled[0].value.results[0].code, 'CMPP_QUEUE_FULL');
    assert.match(settled[0].value.results[0].description, /queue is full \(3 waiting\)/);
  });

  it('sends TERMINATE on close and fails nothing that was answered', async () => {
    ({ sim, client } = await setup());
    await client.start();
    await client.send({ to: '13800138000', payload: 'bye' });
    await client.close();
    assert.equal(sim.record.terminates, 1);
    client = undefined;
  });

  it('names a bad number before anything is sent', async () => {
    ({ sim, client } = await setup());
    await client.start();
    await assert.rejects(client.send({ to: '138-0013', payload: 'x' }), (err) => err instanceof SmsError && /to: "138-0013" is not a phone number/.test(err.message));
    await assert.rejects(client.send({ to: '', payload: 'x' }), /to: give at least one phone number/);
    assert.equal(sim.record.submits.length, 0);
  });
});
