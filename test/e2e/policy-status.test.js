'use strict';
// A message's status on demand (Policy.status, what the sms status node
// answers): sent and delivered, suppressed, failed and held, found by the
// policy's key, by the carrier's id and by the msg.correlation it was sent
// with; the same after a restart on the same SQLite file or Redis prefix;
// the history bounded in count. Against the CMPP simulator over loopback.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cmpp, policy } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');
const { hasRedis, startRedis } = require('../support/redis');
const { needTool } = require('../support/tools');

const MINUTE = 60_000;

describe('a message\'s status from the policy\'s history', function () {
  this.timeout(60000);
  const open = [];
  afterEach(async () => {
    while (open.length) await open.pop()();
  });

  async function gateway(reportDelayMs = 2) {
    const sim = new testing.IsmgSimulator({ reportDelayMs });
    await sim.start();
    const client = new cmpp.CmppClient({ host: '127.0.0.1', port: sim.port, spId: '901234', sharedSecret: 'secret', srcId: '1069001' });
    client.on('error', () => undefined);
    await client.start();
    open.push(async () => (await client.close(), await sim.stop()));
    return { sim, client };
  }

  /** A policy over the gateway, hearing its reports; `store` made anew for each start. */
  function start(g, store, clock) {
    // 23:30 in Taipei: quiet hours hold what is not urgent.
    const p = new policy.Policy({ duplicateWindowMs: 10 * MINUTE, quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei' }, store: store(), now: () => clock.now });
    p.attach('c', policy.policySender('cmpp', 'cmpp', (r) => g.client.send(r)));
    const onReport = (r) => p.reported(r);
    g.client.on('report', onReport);
    return { p, stop: async () => (g.client.off('report', onReport), await p.close()) };
  }

  const stores = {
    memory: async () => ({ make: () => new policy.MemoryPolicyStore(), restarts: false }),
    sqlite: async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-status-')), 'p.sqlite');
      return { make: () => new policy.SqlitePolicyStore({ file }), restarts: true };
    },
    redis: async (ctx) => {
      needTool(ctx, hasRedis, 'redis-server');
      const redis = await startRedis();
      open.push(() => redis.stop());
      return { make: () => new policy.RedisPolicyStore({ url: redis.url, prefix: 'smsflow:policy:t' }), restarts: true };
    },
  };

  for (const [kind, made] of Object.entries(stores)) {
    it(`answers for a message sent and delivered, suppressed, failed and held, by key, carrier id and correlation (${kind} store${kind === 'memory' ? '' : ', and after a restart'})`, async function () {
      const { make, restarts } = await made(this);
      const g = await gateway();
      const clock = { now: Date.UTC(2026, 11, 3, 15, 30) };
      let { p, stop } = start(g, make, clock);
      const urgent = { priority: 'urgent' };

      const sent = await p.send('c', { to: '13800138000', payload: 'Boiler 3 hot', tag: { alarm: 'boiler-3' }, registeredDelivery: true, ...urgent });
      assert.equal(sent.ok, true);
      const copy = await p.send('c', { to: '+8613800138000', payload: ' Boiler 3  hot ', tag: { alarm: 'boiler-3' }, ...urgent });
      assert.equal(copy.results[0].code, 'SMS_DUPLICATE');
      g.sim.faults.submitResult = 13;
      const failed = await p.send('c', { to: '13800138001', payload: 'pump stopped', ...urgent });
      g.sim.faults.submitResult = undefined;
      assert.equal(failed.results[0].code, 13);
      let heldSettled = false;
      p.send('c', { to: '13800138002', payload: 'daily report', tag: 'daily', registeredDelivery: true }).then(() => (heldSettled = true));
      await until(() => p.waiting === 1, { what: 'the daily report held' });

      const id = sent.results[0].id;
      await until(async () => (await p.status({ key: sent.key }))[0]?.state === 'delivered', { what: 'the report in the history' });

      const check = async (when) => {
        const [delivered] = await p.status({ key: sent.key });
        assert.equal(delivered.channel, 'cmpp', when);
        assert.equal(delivered.via, 'c');
        assert.equal(delivered.text, 'Boiler 3 hot');
        assert.deepEqual(delivered.correlation, { alarm: 'boiler-3' });
        assert.equal(delivered.state, 'delivered');
        const [r] = delivered.recipients;
        assert.deepEqual(r.parts, [{ part: 1, ok: true, id, code: 0, description: r.parts[0].description }]);
        assert.equal(r.report.status, 'delivered');
        assert.equal(r.report.detail, 'DELIVRD');
        assert.ok(Date.parse(r.sentAt) >= Date.parse(delivered.acceptedAt), when);

        assert.deepEqual((await p.status({ id })).map((s) => s.key), [sent.key], `by carrier id, ${when}`);
        // The copy was sent with the same correlation: newest first.
        assert.deepEqual((await p.status({ tag: { alarm: 'boiler-3' } })).map((s) => [s.key, s.state]), [[copy.key, 'suppressed'], [sent.key, 'delivered']], when);

        const [suppressed] = await p.status({ key: copy.key });
        assert.equal(suppressed.recipients[0].code, 'SMS_DUPLICATE');
        assert.match(suppressed.recipients[0].description, new RegExp(`message ${sent.key}`));

        const [fail] = await p.status({ key: failed.key });
        assert.deepEqual([fail.state, fail.recipients[0].code], ['failed', 13]);

        const [held] = await p.status({ tag: 'daily' });
        assert.equal(held.state, 'held', when);
        assert.deepEqual(held.recipients[0].held, { reason: 'quiet', until: '2026-12-03T23:00:00.000Z' });
        assert.deepEqual(held.recipients[0].parts, []);
      };
      await check('before a restart');
      assert.deepEqual(await p.status({ key: 'no-such-key' }), []);
      assert.deepEqual(await p.status({ id: 'no-such-id' }), []);
      // The sidebar's search: by number, newest first.
      assert.deepEqual((await p.search('13800138001')).map((s) => s.key), [failed.key]);
      assert.equal((await p.search()).length, 4);

      if (restarts) {
        await new Promise((r) => setTimeout(r, 20)); // past the commit interval
        await stop();
        ({ p, stop } = start(g, make, clock));
        await p.ready;
        await check('after a restart');
      }
      // The night ends: the held report goes, and its status says so.
      clock.now = Date.UTC(2026, 11, 3, 23, 0, 1);
      p.wake();
      await until(async () => (await p.status({ tag: 'daily' }))[0].state === 'delivered', { what: 'the held message sent and delivered' });
      const [daily] = await p.status({ tag: 'daily' });
      assert.equal(daily.recipients[0].held.reason, 'quiet');
      assert.equal(daily.recipients[0].parts.length, 1);
      assert.equal(restarts || heldSettled, true);
      await stop();
    });
  }

  for (const kind of ['sqlite', 'redis']) {
    it(`a report for a message sent before a restart lands in its history, found by its carrier id (${kind} store)`, async function () {
      const { make } = await stores[kind](this);
      // The reports come a while after the answers: the policy is restarted in between.
      const g = await gateway(1500);
      const clock = { now: Date.UTC(2026, 11, 3, 4, 0) };
      let { p, stop } = start(g, make, clock);
      const sent = await Promise.all([1, 2, 3].map((i) => p.send('c', { to: `1380013800${i}`, payload: `before the restart ${i}`, registeredDelivery: true, tag: { n: i } })));
      assert.deepEqual(sent.map((r) => r.ok), [true, true, true]);
      await new Promise((r) => setTimeout(r, 20)); // past the commit interval
      await stop();
      ({ p, stop } = start(g, make, clock));
      open.push(stop);
      await until(async () => (await Promise.all(sent.map((r) => p.status({ key: r.key })))).every(([s]) => s.state === 'delivered'), { what: 'the three reports in the history after the restart' });
      for (const [i, r] of sent.entries()) {
        const [byId] = await p.status({ id: r.results[0].id });
        assert.equal(byId.key, r.key);
        assert.equal(byId.recipients[0].report.detail, 'DELIVRD');
        assert.equal((await p.status({ tag: { n: i + 1 } }))[0].key, r.key);
      }
    });
  }

  it('a report read before the send\'s results are noted (the same chunk as the answer) still lands in the message\'s history', async () => {
    const g = await gateway();
    const p = new policy.Policy({ store: new policy.MemoryPolicyStore() });
    open.push(() => p.close());
    // The report reaches the policy before the send's result does: what a gateway answering fast does to a loaded process.
    p.attach('c', policy.policySender('cmpp', 'cmpp', async (r) => {
      const result = await g.client.send(r);
      assert.equal(await p.reported({ id: result.results[0].id, to: r.to[0], status: 'delivered', detail: 'DELIVRD' }), false, 'not known yet');
      return result;
    }));
    const sent = await p.send('c', { to: '13800138000', payload: 'fast gateway' });
    await until(async () => (await p.status({ key: sent.key }))[0].state === 'delivered', { what: 'the early report in the history' });
    assert.equal((await p.status({ key: sent.key }))[0].recipients[0].report.detail, 'DELIVRD');
  });

  it('a carrier id given again while an earlier message to the number still waits (a modem\'s reference after 256 sends): each report lands in its own message, oldest first, after a restart too', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-status-')), 'p.sqlite');
    const phone = '+886933333333';
    // A modem that gives reference 7 to every send: what one whose 8-bit counter came round does.
    const modemLike = async (r) => ({ channel: 'modem', ok: true, to: r.to, encoding: 'gsm7', parts: 1, results: [{ to: r.to[0], part: 1, ok: true, id: '7', code: 0, description: 'sent' }] });
    const run = () => {
      const p = new policy.Policy({ store: new policy.SqlitePolicyStore({ file }) });
      p.attach('m', policy.policySender('modem', 'pdu', modemLike));
      return p;
    };
    const stateOf = async (p, key) => (await p.status({ key }))[0].recipients[0];
    let p = run();
    const first = await p.send('m', { to: phone, payload: 'Pump 3 stopped' });
    const later = await p.send('m', { to: phone, payload: 'Pump 3 running' });
    assert.equal(p.reported({ id: '7', to: phone, status: 'expired', detail: 'validity period expired' }), true);
    assert.equal(p.reported({ id: '7', to: phone, status: 'delivered', detail: 'delivered' }), true);
    assert.deepEqual([(await stateOf(p, first.key)).state, (await stateOf(p, later.key)).state], ['expired', 'delivered']);
    // Two more under the same id, then a restart before their reports come: the store finds them.
    const third = await p.send('m', { to: phone, payload: 'Tank 2 low' });
    const fourth = await p.send('m', { to: phone, payload: 'Tank 2 ok' });
    await p.close();
    p = run();
    open.push(() => p.close());
    assert.equal(p.reported({ id: '7', to: phone, status: 'undeliverable', detail: 'unknown subscriber' }), false, 'not sent by this process');
    await until(async () => (await stateOf(p, third.key)).state === 'undeliverable', { what: 'the first report after the restart in the older message' });
    assert.equal((await stateOf(p, fourth.key)).state, 'sent');
    p.reported({ id: '7', to: phone, status: 'delivered', detail: 'delivered' });
    await until(async () => (await stateOf(p, fourth.key)).state === 'delivered', { what: 'the second report in the later message' });
    assert.deepEqual([(await stateOf(p, first.key)).state, (await stateOf(p, later.key)).state, (await stateOf(p, third.key)).state], ['expired', 'delivered', 'undeliverable']);
  });

  it('keeps at most the messages it is told, the oldest going first, and none past the time kept', async () => {
    const g = await gateway();
    const clock = { now: Date.UTC(2026, 11, 3, 4, 0) };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-status-')), 'p.sqlite');
    for (const store of [new policy.MemoryPolicyStore(), new policy.SqlitePolicyStore({ file })]) {
      const p = new policy.Policy({ history: { max: 10, keepMs: 60 * MINUTE }, store, now: () => clock.now });
      open.push(() => p.close());
      p.attach('c', policy.policySender('cmpp', 'cmpp', (r) => g.client.send(r)));
      const keys = [];
      for (let i = 0; i < 25; i++) keys.push((await p.send('c', { to: '13800138000', payload: `reading ${i}` })).key);
      clock.now += 2 * MINUTE; // the SQLite store prunes once a minute, at a commit
      keys.push((await p.send('c', { to: '13800138000', payload: 'one more' })).key);
      await new Promise((r) => setTimeout(r, 20));
      const kept = (await p.search(undefined, 100)).map((s) => s.key);
      assert.deepEqual(kept, keys.slice(-10).reverse(), store.kind);
      assert.deepEqual(await p.status({ key: keys[0] }), [], store.kind);
      clock.now += 61 * MINUTE;
      await p.send('c', { to: '13800138000', payload: 'an hour later' });
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await p.search(undefined, 100)).length, 1, `${store.kind}: only the last, the rest older than an hour`);
    }
  });
});
