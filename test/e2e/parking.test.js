'use strict';
// A queue longer than memory should hold: with the SQLite or Redis store,
// messages past the queue in memory wait in the store alone (parked) and are
// read back a window at a time, in the order they were accepted, each with
// one outcome; after a restart everything kept is read back so. Over
// loopback, against the CMPP and SMPP simulators, a real SQLite file and a
// real redis-server.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cmpp, smpp, store } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');
const { freePort } = require('../support/node-red-process');
const { hasRedis, startRedis } = require('../support/redis');
const { needTool } = require('../support/tools');

const SP = { spId: '901234', sharedSecret: 'secret' };
const IN_MEMORY = 20;
const WINDOW = 16;
const COUNT = 300;

for (const kind of ['sqlite', 'redis']) {
  describe(`messages parked in the ${kind === 'sqlite' ? 'SQLite' : 'Redis'} store, past the queue in memory`, function () {
    this.timeout(30000);
    let dir;
    let redis;
    let round = 0;
    const open = [];
    before(async function () {
      if (kind !== 'redis') return;
      needTool(this, hasRedis, 'redis-server');
      redis = await startRedis();
    });
    after(async () => redis?.stop());
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-parking-'));
      round++;
    });
    afterEach(async () => {
      while (open.length) await open.pop()();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The store of this test, the same file or prefix each time it is made. */
    function makeStore(protocol = 'cmpp') {
      return kind === 'sqlite'
        ? new store.SqliteStore({ file: path.join(dir, `${protocol}.sqlite`) })
        : new store.RedisStore({ url: redis.url, prefix: `parking:${round}:${protocol}`, instance: 'A' });
    }

    function client(port, extra = {}, protocol = 'cmpp') {
      const s = makeStore(protocol);
      const options = { host: '127.0.0.1', port, store: s, window: WINDOW, queueInMemory: IN_MEMORY, maxQueue: 100000, queueTimeoutMs: 0, reconnect: { initialMs: 20, maxMs: 50 }, ...extra };
      const c = protocol === 'cmpp' ? new cmpp.CmppClient({ ...options, ...SP }) : new smpp.SmppClient({ ...options, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS' });
      c.on('error', () => undefined);
      const carried = [];
      c.on('carried', (x) => carried.push(x));
      // What the queue holds in memory, at its largest: what waits minus what is parked, and what is in flight.
      let most = 0;
      c.on('queue', (depth) => (most = Math.max(most, depth - c.session.parked)));
      const closed = async () => {
        await c.close();
        await s.close();
      };
      open.push(closed);
      return { c, s, carried, most: () => most, closed };
    }

    /** Gives `count` messages as a send node does: parked once the client says so, else sent. */
    function give(c, count, from = 0) {
      const answered = [];
      let parked = 0;
      for (let n = from; n < from + count; n++) {
        const request = { to: '13800138000', payload: `alert ${n}`, correlation: { n }, origin: 'node-1' };
        if (c.parking) {
          parked++;
          c.park(request).catch((err) => answered.push(err));
        } else
          c.send(request).then(
            (r) => answered.push(r),
            (err) => answered.push(err),
          );
      }
      return { answered, parked };
    }

    const texts = (sim) => sim.record.submits.map((s) => (s.body.msgContent ?? s.body.shortMessage).toString());
    const inOrder = (count, from = 0) => Array.from({ length: count }, (_, i) => `alert ${from + i}`);

    for (const protocol of ['cmpp', 'smpp']) {
      it(`${protocol.toUpperCase()}: keeps past the queue in memory nothing but the file: sent in the order accepted, each once, each one outcome`, async () => {
        const port = await freePort();
        const a = client(port, {}, protocol);
        a.c.start().catch(() => undefined);
        await a.c.recovery;
        const { answered, parked } = give(a.c, COUNT);
        assert.equal(parked, COUNT - IN_MEMORY, 'the first ones wait in memory, the rest are parked');
        assert.equal(a.c.session.parked, COUNT - IN_MEMORY);
        assert.equal(a.c.session.depth, COUNT);

        const sim = protocol === 'cmpp' ? new testing.IsmgSimulator({ port }) : new testing.SmscSimulator({ port });
        await sim.start();
        open.push(() => sim.stop());
        await until(() => answered.length === IN_MEMORY && a.carried.length === COUNT - IN_MEMORY, { what: 'every outcome' });
        assert.deepEqual(texts(sim), inOrder(COUNT), 'each sent once, in the order accepted');
        assert.ok(
          answered.every((r) => r.ok),
          'the ones in memory answered on their promise',
        );
        assert.deepEqual(
          a.carried.map((x) => x.correlation.n),
          inOrder(COUNT - IN_MEMORY, IN_MEMORY).map((t) => Number(t.split(' ')[1])),
        );
        for (const x of a.carried) {
          assert.equal(x.origin, 'node-1');
          assert.equal(x.result.ok, true);
          assert.equal(x.result.carriedOver, undefined, 'not carried over a restart: parked in this run');
          assert.equal(x.result.results[0].to, '13800138000');
        }
        assert.ok(a.most() <= IN_MEMORY + WINDOW, `at most the queue in memory and a window held in memory (${a.most()})`);
        assert.equal(a.c.session.parked, 0);
        assert.equal(a.c.session.depth, 0);
      });
    }

    it('after a restart reads what the file keeps back a window at a time: each sent once, in order, before what comes after', async () => {
      const port = await freePort();
      const a = client(port);
      a.c.start().catch(() => undefined);
      await a.c.recovery;
      give(a.c, COUNT);
      await a.closed();
      open.pop();

      const sim = new testing.IsmgSimulator({ port });
      await sim.start();
      open.push(() => sim.stop());
      const b = client(port);
      b.c.start().catch(() => undefined);
      await b.c.recovery;
      assert.ok(b.c.session.parked > 0, 'read back later, not all at once');
      const later = give(b.c, 10, COUNT);
      assert.equal(later.parked, 10, 'parked behind the kept ones');
      await until(() => b.carried.length === COUNT + 10, { what: 'every outcome' });
      assert.ok(
        b.carried.slice(0, COUNT).every((x) => x.result.ok && x.result.carriedOver === true),
        'the kept ones, carried over',
      );
      assert.ok(
        b.carried.slice(COUNT).every((x) => x.result.ok && x.result.carriedOver === undefined),
        'then the new ones',
      );
      assert.deepEqual(texts(sim).slice(0, COUNT), inOrder(COUNT), 'the kept ones first, in order, each once');
      assert.deepEqual([...texts(sim)].sort(), [...inOrder(COUNT + 10)].sort(), 'all sent, none twice');
      assert.ok(b.most() <= IN_MEMORY + WINDOW + 10, `at most the queue in memory and a window held in memory (${b.most()})`);
    });

    it('after a restart gives their outcome at once to messages with nothing left to send: answered before the crash, or never queued', async () => {
      const port = await freePort();
      const s = makeStore();
      const record = (key, results, n) => ({ key, request: { to: ['13800138000'], encoding: 'gsm7', parts: 1, origin: 'node-1' }, correlation: { n }, results, expected: 1, createdAt: Date.now() });
      s.messages.add(record('before-1', [{ to: '13800138000', part: 1, ok: true, id: '42', code: 0, description: 'accepted' }], 1));
      s.messages.add(record('before-2', [], 2));
      await s.close();
      const b = client(port);
      b.c.start().catch(() => undefined);
      await until(() => b.carried.length === 2, { what: 'both outcomes' });
      const byN = Object.fromEntries(b.carried.map((x) => [x.correlation.n, x.result]));
      assert.equal(byN[1].ok, true);
      assert.equal(byN[1].results[0].id, '42');
      assert.equal(byN[2].ok, false, 'never queued: not sent, and said so');
    });

    it("reads a long message back whole though a window ends in it: every part sent once, in order, one outcome with each part's result", async () => {
      const port = await freePort();
      // Windows of 3 requests (half of 5 in memory), messages of more parts: each window ends inside a message.
      const a = client(port, { queueInMemory: 5 });
      a.c.start().catch(() => undefined);
      await a.c.recovery;
      const long = (n) => String.fromCharCode(65 + n).repeat(600); // several parts: AAA…, BBB…
      const answered = [];
      for (let n = 0; n < 12; n++) {
        const request = { to: '13800138000', payload: long(n), correlation: { n }, origin: 'node-1' };
        if (a.c.parking) a.c.park(request);
        else a.c.send(request).then((r) => answered.push(r));
      }
      const sim = new testing.IsmgSimulator({ port });
      await sim.start();
      open.push(() => sim.stop());
      await until(() => answered.length + a.carried.length === 12, { what: 'every outcome' });
      const results = [...answered, ...a.carried.map((x) => x.result)];
      const parts = results[0].parts;
      assert.ok(parts > 3, `${parts} parts: more than a window`);
      assert.ok(
        results.every((r) => r.ok && r.parts === parts && r.results.length === parts),
        JSON.stringify(results.map((r) => [r.parts, r.results.length])),
      );
      assert.ok(a.carried.length >= 10, 'most were parked');
      const sent = sim.record.submits.map((x) => [x.body.msgContent.subarray(6).toString()[0], x.body.pkNumber]);
      assert.deepEqual(
        sent,
        Array.from({ length: 12 * parts }, (_, i) => [String.fromCharCode(65 + Math.floor(i / parts)), (i % parts) + 1]),
        'each part once, in order',
      );
    });

    it('a parked message keeps its queue wait from when it was accepted: past it, it fails with CMPP_QUEUE_TIMEOUT once read back, never sent', async () => {
      const port = await freePort();
      let now = 1_000_000;
      const a = client(port, { queueTimeoutMs: 60000, now: () => now });
      a.c.start().catch(() => undefined);
      await a.c.recovery;
      const { answered } = give(a.c, 100);
      now += 61000; // a minute and more behind an absent gateway
      await until(() => answered.length === IN_MEMORY && a.carried.length === 100 - IN_MEMORY, { what: 'every outcome' });
      assert.ok(
        answered.every((r) => !r.ok && r.results[0].code === 'CMPP_QUEUE_TIMEOUT'),
        JSON.stringify(answered[0]),
      );
      assert.ok(
        a.carried.every((x) => !x.result.ok && x.result.results[0].code === 'CMPP_QUEUE_TIMEOUT'),
        JSON.stringify(a.carried[0]?.result),
      );
      assert.equal(a.c.session.depth, 0);
    });

    it('fails what is parked when the gateway refuses the login for good, each with its outcome', async () => {
      const port = await freePort();
      const a = client(port, { loginRetryMs: 600000 });
      a.c.start().catch(() => undefined);
      await a.c.recovery;
      const { answered } = give(a.c, COUNT);
      const refusing = new testing.IsmgSimulator({ port });
      refusing.faults.refuseLogin = 3; // authentication: a refusal for good
      await refusing.start();
      open.push(() => refusing.stop());
      await until(() => answered.length === IN_MEMORY && a.carried.length === COUNT - IN_MEMORY, { what: 'every outcome' });
      assert.ok(
        a.carried.every((x) => !x.result.ok && x.result.results[0].code === 'CMPP_AUTH'),
        JSON.stringify(a.carried[0].result.results[0]),
      );
      assert.equal(refusing.record.submits.length, 0);
      assert.equal(a.c.session.depth, 0);
    });
  });
}
