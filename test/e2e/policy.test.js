'use strict';
// The policy in front of every channel, against the package's real
// simulators over loopback: a flapping alert sent once on each channel,
// the limit per number, quiet hours held over a restart (a clock the test
// moves), opt-out by keyword from a phone, and two instances sharing one
// real redis-server.
const assert = require('node:assert/strict');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const { cmpp, smpp, imsp, modem, policy } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');
const { hasRedis, startRedis } = require('../support/redis');
const { needTool } = require('../support/tools');

const HOUR = 3600_000;
const MINUTE = 60_000;
const quiet = (client) => {
  client.on('error', () => undefined);
  return client;
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-policy-'));

/** One channel against its simulator: a policy sender for it, and what reached phones. */
const CHANNELS = {
  async cmpp() {
    const sim = new testing.IsmgSimulator({ reportDelayMs: 2 });
    await sim.start();
    const client = quiet(new cmpp.CmppClient({ host: '127.0.0.1', port: sim.port, spId: '901234', sharedSecret: 'secret', srcId: '1069001' }));
    await client.start();
    const phones = [];
    sim.on('phone', (m) => phones.push(m.to));
    return { client, sim, phones, sender: policy.policySender('cmpp', 'cmpp', (r) => client.send(r)), close: async () => (await client.close(), await sim.stop()) };
  },
  async smpp() {
    const sim = new testing.SmscSimulator({ reportDelayMs: 2 });
    await sim.start();
    const client = quiet(new smpp.SmppClient({ host: '127.0.0.1', port: sim.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS' }));
    await client.start();
    const phones = [];
    sim.on('phone', (m) => phones.push(m.to));
    return { client, sim, phones, sender: policy.policySender('smpp', 'smpp', (r) => client.send(r)), close: async () => (await client.close(), await sim.stop()) };
  },
  async imsp() {
    const sim = new testing.ImspSimulator();
    await sim.start();
    const client = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', baseUrl: sim.baseUrl, ca: sim.certificate.cert });
    const phones = [];
    sim.on('phone', (to) => phones.push(to));
    return { client, sim, phones, sender: policy.policySender('imsp', 'imsp', (r) => client.send(r)), close: async () => (await client.close(), await sim.stop()) };
  },
  async modem() {
    const network = new testing.VirtualNetwork({ reportDelayMs: 2 });
    const line = network.modem('+886911111111');
    const port = await line.listen();
    const client = quiet(new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0 }));
    await client.start();
    const phones = [];
    network.on('carried', (m) => phones.push(m.to));
    return { client, network, phones, sender: policy.policySender('modem', 'pdu', (r) => client.send(r)), close: async () => (await client.close(), network.stop()) };
  },
};
const PHONE = { cmpp: '13800138000', smpp: '13800138000', imsp: '0912345678', modem: '+886912345678' };

describe('policy in front of every channel', function () {
  this.timeout(60000);
  const open = [];
  afterEach(async () => {
    while (open.length) await open.pop()();
  });
  const channel = async (kind) => {
    const c = await CHANNELS[kind]();
    open.push(c.close);
    return c;
  };
  const make = (options) => {
    const p = new policy.Policy(options);
    open.push(() => p.close());
    return p;
  };

  for (const kind of Object.keys(CHANNELS)) {
    it(`a flapping alert, 500 copies in a minute to one number by ${kind}: 1 sent, 499 SMS_DUPLICATE naming it (SQLite store)`, async () => {
      const c = await channel(kind);
      let clock = Date.UTC(2026, 11, 3, 4, 0, 0);
      const p = make({ limit: { count: 5, windowMs: HOUR }, duplicateWindowMs: 10 * MINUTE, store: new policy.SqlitePolicyStore({ file: path.join(tmp(), 'p.sqlite') }), now: () => clock });
      p.attach(kind, c.sender);
      const results = [];
      for (let i = 0; i < 500; i++) {
        clock += 100;
        results.push(p.send(kind, { to: PHONE[kind], payload: ' Boiler 3:  temperature   high ', encoding: 'auto' }));
      }
      const all = await Promise.all(results);
      const sent = all.filter((r) => r.ok);
      assert.equal(sent.length, 1);
      assert.equal(all[0].ok, true, 'the first is the one sent');
      const codes = all.slice(1).map((r) => r.results[0].code);
      assert.deepEqual([...new Set(codes)], ['SMS_DUPLICATE']);
      assert.equal(codes.length, 499);
      assert.equal(all[499].results[0].duplicateOf.key, all[0].key);
      assert.match(all[499].results[0].description, /498 copy\(ies\) suppressed|499 copy\(ies\) suppressed/);
      assert.equal((await p.counters()).suppressed, 499);
      await until(() => c.phones.length >= 1, { what: 'the alert at the phone' });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(c.phones.length, 1, 'one SMS reached the phone');
    });
  }

  it('the limit per number: 5 an hour, the 6th SMS_RATE_LIMITED with when the next may go; another number is not counted; urgent passes', async () => {
    const c = await channel('cmpp');
    let clock = Date.UTC(2026, 11, 3, 4, 0, 0);
    const start = clock;
    const p = make({ limit: { count: 5, windowMs: HOUR }, now: () => clock });
    p.attach('c', c.sender);
    const codes = [];
    for (let i = 0; i < 7; i++) {
      clock += MINUTE;
      const r = await p.send('c', { to: '13800138000', payload: `reading ${i}` });
      codes.push(r.results[0].code);
      if (i === 5) assert.equal(r.results[0].nextAt, new Date(start + MINUTE + HOUR).toISOString());
    }
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED']);
    assert.equal((await p.send('c', { to: '13900139000', payload: 'other' })).ok, true);
    assert.equal((await p.send('c', { to: '13800138000', payload: 'fire', priority: 'urgent' })).ok, true);
    clock = start + MINUTE + HOUR;
    assert.equal((await p.send('c', { to: '13800138000', payload: 'an hour after the first' })).ok, true, 'the window moved on');
  });

  it('the limit counted in SMS: a 3-part message uses 3 of 5; one recipient of two refused, the other sent, in one result', async () => {
    const c = await channel('cmpp');
    const p = make({ limit: { count: 5, windowMs: HOUR, unit: 'parts' } });
    p.attach('c', c.sender);
    const long = '长'.repeat(150); // 3 SMS in UCS-2 on CMPP
    assert.equal((await p.send('c', { to: '13800138000', payload: long })).results.length, 3);
    const r = await p.send('c', { to: ['13800138000', '13900139000'], payload: long });
    assert.deepEqual(
      r.results.map((x) => [x.to, x.part, x.code]),
      [['13800138000', 1, 'SMS_RATE_LIMITED'], ['13900139000', 1, 0], ['13900139000', 2, 0], ['13900139000', 3, 0]],
    );
    assert.equal(r.ok, false);
  });

  it('a send the carrier refuses for sure frees its text: the same alert may be sent again', async () => {
    const c = await channel('cmpp');
    const p = make({ duplicateWindowMs: 10 * MINUTE });
    p.attach('c', c.sender);
    c.sim.faults.submitResult = 13;
    const first = await p.send('c', { to: '13800138000', payload: 'pump stopped' });
    assert.equal(first.results[0].code, 13);
    c.sim.faults.submitResult = undefined;
    assert.equal((await p.send('c', { to: '13800138000', payload: 'pump stopped' })).ok, true);
    assert.equal((await p.send('c', { to: '13800138000', payload: 'pump  stopped' })).results[0].code, 'SMS_DUPLICATE');
  });

  it('the window is remembered over a restart (SQLite file)', async () => {
    const c = await channel('smpp');
    const file = path.join(tmp(), 'p.sqlite');
    let p = new policy.Policy({ limit: { count: 5, windowMs: HOUR }, duplicateWindowMs: 10 * MINUTE, store: new policy.SqlitePolicyStore({ file }) });
    p.attach('s', c.sender);
    const first = await p.send('s', { to: '13800138000', payload: 'door open' });
    for (let i = 0; i < 4; i++) assert.equal((await p.send('s', { to: '13800138000', payload: `other ${i}` })).ok, true);
    await p.close();
    p = make({ limit: { count: 5, windowMs: HOUR }, duplicateWindowMs: 10 * MINUTE, store: new policy.SqlitePolicyStore({ file }) });
    p.attach('s', c.sender);
    const again = await p.send('s', { to: '13800138000', payload: 'door open' });
    assert.equal(again.results[0].code, 'SMS_DUPLICATE');
    assert.equal(again.results[0].duplicateOf.key, first.key);
    assert.equal((await p.send('s', { to: '13800138000', payload: 'new text' })).results[0].code, 'SMS_RATE_LIMITED');
  });

  it('after a restart, what leaves its window is forgotten: the numbers\' logs and the texts read back from the file expire (memory stays bounded)', async () => {
    const c = await channel('cmpp');
    const file = path.join(tmp(), 'p.sqlite');
    let clock = Date.UTC(2026, 11, 3, 4, 0);
    const options = () => ({ limit: { count: 5, windowMs: 10 * MINUTE }, duplicateWindowMs: 5 * MINUTE, store: new policy.SqlitePolicyStore({ file, now: () => clock }), now: () => clock });
    let p = new policy.Policy(options());
    p.attach('c', c.sender);
    for (let i = 0; i < 20; i++) assert.equal((await p.send('c', { to: `139000000${String(i).padStart(2, '0')}`, payload: `reading ${i}` })).ok, true);
    await new Promise((r) => setTimeout(r, 20));
    await p.close();
    p = make(options());
    p.attach('c', c.sender);
    // Read back: 20 numbers counted, 20 texts remembered.
    assert.deepEqual([p.store.logs.size, p.store.duplicates.size], [20, 20]);
    assert.equal((await p.send('c', { to: '13900000003', payload: 'reading 3' })).results[0].code, 'SMS_DUPLICATE');
    clock += 11 * MINUTE;
    assert.equal((await p.send('c', { to: '13800138000', payload: 'later' })).ok, true);
    assert.deepEqual([p.store.logs.size, p.store.duplicates.size], [1, 1], 'only the last message is remembered');
  });

  it('quiet hours: held over a restart and sent when they end, by the clock the test moves; urgent goes at once; refuse mode says until when', async () => {
    const c = await channel('cmpp');
    const file = path.join(tmp(), 'p.sqlite');
    // 23:30 in Taipei (UTC+8) is 15:30 UTC.
    let clock = Date.UTC(2026, 11, 3, 15, 30);
    const options = () => ({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei' }, store: new policy.SqlitePolicyStore({ file }), now: () => clock });
    let p = new policy.Policy(options());
    p.attach('c', c.sender);
    let settled = false;
    p.send('c', { to: '13800138000', payload: 'daily report', correlation: { n: 7 }, origin: 'node1' }).then(() => (settled = true));
    const urgent = await p.send('c', { to: '13800138000', payload: 'fire', priority: 'urgent' });
    assert.equal(urgent.ok, true);
    await until(() => p.waiting === 1, { what: 'one held' });
    await new Promise((r) => setImmediate(r));
    await p.close();
    assert.equal(settled, false);
    assert.equal(c.phones.length, 1, 'only the urgent one went');

    p = make(options());
    await p.ready;
    const carried = [];
    p.on('carried', (x) => carried.push(x));
    p.attach('c', c.sender);
    clock = Date.UTC(2026, 11, 3, 22, 59); // 06:59 in Taipei
    p.wake();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(carried.length, 0, 'still quiet at 06:59');
    clock = Date.UTC(2026, 11, 3, 23, 0, 1);
    p.wake();
    await until(() => carried.length === 1, { what: 'the held message sent at 07:00' });
    assert.equal(carried[0].origin, 'node1');
    assert.deepEqual(carried[0].correlation, { n: 7 });
    assert.equal(carried[0].result.ok, true);
    assert.equal(carried[0].result.carriedOver, true);
    assert.deepEqual(carried[0].result.results[0].held, { reason: 'quiet', until: '2026-12-03T23:00:00.000Z' });
    await until(() => c.phones.length === 2, { what: 'the report at the phone' });
    assert.equal(p.waiting, 0);

    const refusing = make({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei', during: 'refuse' }, now: () => Date.UTC(2026, 11, 3, 15, 30) });
    refusing.attach('c', c.sender);
    const r = await refusing.send('c', { to: '13800138000', payload: 'later' });
    assert.equal(r.results[0].code, 'SMS_QUIET_HOURS');
    assert.match(r.results[0].description, /Asia\/Taipei\) until 2026-12-03T23:00:00.000Z/);
  });

  it('a held message whose connection is gone from the flows ends SMS_NOT_SENT a minute after it is due, saying why; one that comes back in time sends it', async () => {
    const c = await channel('cmpp');
    const file = path.join(tmp(), 'p.sqlite');
    let clock = Date.UTC(2026, 11, 3, 15, 30); // 23:30 in Taipei
    const options = () => ({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei' }, store: new policy.SqlitePolicyStore({ file }), now: () => clock });
    const at7 = Date.UTC(2026, 11, 3, 23, 0, 1);

    // Removed while this process runs (a deploy of the flows without it): the send's own promise gets the outcome.
    let p = make(options());
    const detach = p.attach('c', c.sender);
    const waited = p.send('c', { to: '13800138000', payload: 'daily report', correlation: { n: 1 } });
    await until(() => p.waiting === 1, { what: 'one held' });
    detach();
    clock = at7;
    p.wake();
    clock = at7 + policy.UNATTACHED_GRACE_MS - 1000;
    p.wake();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(p.waiting, 1, 'it waits its grace for the connection');
    clock = at7 + policy.UNATTACHED_GRACE_MS;
    p.wake();
    const gone = await waited;
    assert.deepEqual([gone.ok, gone.results[0].code, gone.results[0].held.reason], [false, 'SMS_NOT_SENT', 'quiet']);
    assert.match(gone.results[0].description, /held \(quiet hours\) for c, the connection or route it came to, which has not been running for 60 s since it was due/);
    assert.equal(p.waiting, 0);
    assert.equal((await p.status({ key: gone.key }))[0].recipients[0].code, 'SMS_NOT_SENT');

    /** A message held at 23:30 on the day of `date`, then a restart with no connection attached: the outcomes carried over. */
    const heldOverRestart = async (date, payload) => {
      clock = Date.UTC(2026, 11, date, 15, 30);
      p.attach('c', c.sender);
      p.send('c', { to: '13800138000', payload, origin: 'node1' });
      await until(() => p.waiting === 1, { what: `"${payload}" held` });
      await new Promise((r) => setImmediate(r));
      await p.close();
      p = make(options());
      await p.ready;
      const carried = [];
      p.on('carried', (x) => carried.push(x));
      clock = Date.UTC(2026, 11, date, 23, 0, 1);
      p.wake();
      return carried;
    };

    // Held over a restart that brings its connection back within the grace: sent.
    let carried = await heldOverRestart(4, 'second report');
    clock += 30_000;
    p.wake();
    p.attach('c', c.sender);
    await until(() => carried.length === 1, { what: 'the held message sent once its connection runs' });
    assert.deepEqual([carried[0].origin, carried[0].result.ok], ['node1', true]);

    // Held over a restart without its connection: carried over as not sent, and not held again after another restart.
    carried = await heldOverRestart(5, 'third report');
    clock += policy.UNATTACHED_GRACE_MS;
    p.wake();
    await until(() => carried.length === 1, { what: 'the outcome of the message nothing can send' });
    assert.deepEqual([carried[0].origin, carried[0].result.ok, carried[0].result.carriedOver, carried[0].result.results[0].code], ['node1', false, true, 'SMS_NOT_SENT']);
    await new Promise((r) => setImmediate(r));
    await p.close();
    p = make(options());
    await p.ready;
    assert.equal(p.waiting, 0);
    assert.equal(c.phones.length, 1, 'only the one whose connection came back reached a phone');
  });

  it('a held message whose connection is gone, and whose store cannot be asked at that moment, stays held and is given up once the store answers', async () => {
    let clock = Date.UTC(2026, 11, 3, 15, 30); // 23:30 in Taipei
    let refuse = 1;
    class Flaky extends policy.MemoryPolicyStore {
      release(key) {
        if (refuse-- > 0) return Promise.reject(new Error('store unreachable'));
        return super.release(key);
      }
    }
    const p = make({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei' }, store: new Flaky(), now: () => clock });
    const errors = [];
    p.on('error', (e) => errors.push(e.message));
    const detach = p.attach('c', { channel: 'cmpp', send: async () => assert.fail('never sent'), measure: () => ({ parts: 1, encoding: 'gsm7' }) });
    const waited = p.send('c', { to: '13800138000', payload: 'daily report' });
    await until(() => p.waiting === 1, { what: 'one held' });
    detach();
    clock = Date.UTC(2026, 11, 3, 23, 0, 1);
    p.wake();
    clock += policy.UNATTACHED_GRACE_MS;
    p.wake();
    await until(() => errors.length === 1, { what: 'the store\'s refusal said' });
    assert.deepEqual([errors[0], p.waiting], ['store unreachable', 1]);
    p.wake();
    clock += policy.UNATTACHED_GRACE_MS;
    p.wake();
    const gone = await waited;
    assert.deepEqual([gone.ok, gone.results.map((r) => r.code)], [false, ['SMS_NOT_SENT']]);
    assert.equal(p.waiting, 0);
  });

  it('a home country: an opt-out in one form of a number refuses every form of it and no other phone; opt-outs kept before it was set are taken up', async () => {
    const c = await channel('smpp');
    const file = path.join(tmp(), 'p.sqlite');
    let p = make({ store: new policy.SqlitePolicyStore({ file }) });
    p.attach('c', c.sender);
    assert.equal(await p.heard('c', { from: '+886912345678', payload: 'STOP' }), 'stop');
    // Without a home country the last 9 digits count: a phone in China ending alike is refused too.
    assert.equal((await p.send('c', { to: '+8613912345678', payload: 'Pump 3 stopped' })).results[0].code, 'SMS_OPTED_OUT');
    await p.close();
    p = make({ country: '886', store: new policy.SqlitePolicyStore({ file }) });
    p.attach('c', c.sender);
    for (const to of ['0912345678', '886912345678', '00886912345678']) {
      assert.equal((await p.send('c', { to, payload: `Pump 3 stopped (${to})` })).results[0].code, 'SMS_OPTED_OUT', to);
    }
    const other = await p.send('c', { to: '+8613912345678', payload: 'Pump 3 stopped' });
    assert.equal(other.ok, true, 'the phone in China is another number');
    assert.deepEqual((await p.optOuts()).map((e) => [e.number, e.key]), [['+886912345678', '886912345678']]);
    assert.equal(await p.optIn('0912345678'), true, 'START in the national form lifts it');
    assert.equal((await p.send('c', { to: '+886912345678', payload: 'Pump 3 running' })).ok, true);
    assert.deepEqual(c.phones, ['8613912345678', '886912345678']);
  });

  it('quiet hours in the recipient\'s time zone by prefix', async () => {
    const c = await channel('smpp');
    const at = Date.UTC(2026, 11, 3, 15, 30); // 23:30 in Taipei, 15:30 in London
    const p = make({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei', zones: [{ prefix: '+44', timeZone: 'Europe/London' }], during: 'refuse' }, now: () => at });
    p.attach('s', c.sender);
    const r = await p.send('s', { to: ['+886912345678', '+447700900123'], payload: 'report' });
    assert.deepEqual(r.results.map((x) => [x.to, x.code]), [['+886912345678', 'SMS_QUIET_HOURS'], ['+447700900123', 0]]);
  });

  it('STOP from a phone on CMPP opts its number out on SMPP too, with the reply; START lifts it; the list exports as CSV', async () => {
    const c = await channel('cmpp');
    const s = await channel('smpp');
    const p = make({ keywords: { stopReply: 'You will get no more alerts. Send START to have them again.' } });
    p.attach('c', c.sender);
    p.attach('s', s.sender);
    c.client.on('message', (sms) => p.heard('c', sms));
    await c.sim.injectMo({ from: '13800138000', to: '1069001', text: ' stop! ' });
    await until(async () => (await p.optOuts()).length === 1, { what: 'the number opted out' });
    await until(() => c.phones.length === 1, { what: 'the confirmation at the phone' });
    const r = await p.send('s', { to: '+8613800138000', payload: 'alert' });
    assert.equal(r.results[0].code, 'SMS_OPTED_OUT');
    assert.equal(s.phones.length, 0, 'nothing sent by SMPP');
    const csv = await p.optOutCsv();
    assert.match(csv, /^number,opted_out_at,how,via\r\n13800138000,\d{4}-\d\d-\d\dT[^,]+,keyword stop!,c\r\n$/);
    await c.sim.injectMo({ from: '13800138000', to: '1069001', text: '訂閱' });
    await until(async () => (await p.optOuts()).length === 0, { what: 'the number opted in' });
    assert.equal((await p.send('s', { to: '13800138000', payload: 'alert' })).ok, true);
  });

  it('two instances on one redis-server: 500 copies of an alert given to both, 1 sent in all', async function () {
    needTool(this, hasRedis, 'redis-server');
    const redis = await startRedis();
    open.push(() => redis.stop());
    const c = await channel('cmpp');
    const prefix = `smsflow:test:${process.pid}:${Date.now()}`;
    const mk = () => {
      const p = make({ limit: { count: 5, windowMs: HOUR }, duplicateWindowMs: 10 * MINUTE, store: new policy.RedisPolicyStore({ url: redis.url, prefix }) });
      p.attach('c', c.sender);
      return p;
    };
    const a = mk();
    const b = mk();
    const all = await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).send('c', { to: '13800138000', payload: 'tank level low' })));
    assert.equal(all.filter((r) => r.ok).length, 1);
    assert.deepEqual([...new Set(all.filter((r) => !r.ok).map((r) => r.results[0].code))], ['SMS_DUPLICATE']);
    assert.equal((await a.counters()).suppressed, 499, 'the count is shared');
    a.optOut('13900139000', 'test');
    await until(async () => (await b.send('c', { to: '13900139000', payload: 'x' })).results[0].code === 'SMS_OPTED_OUT', { what: 'the opt-out seen by the other' });
  });
});
