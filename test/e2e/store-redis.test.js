'use strict';
// Several Node-RED instances on one carrier account share their report
// expectations through a real redis-server, started here on a free loopback
// port: a report that the gateway sends on instance B's link for a message
// instance A sent is matched, with A's correlation.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { cmpp, smpp, store } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { NodeRedProcess } = require('../support/node-red-process');
const { until } = require('../support/wait');
const { needTool } = require('../support/tools');
const { hasRedis, startRedis } = require('../support/redis');
const { durableFlow, lines } = require('../support/durable-flow');
const { sendsAtStart } = require('../support/sends-at-start');

describe('Redis store shared by several instances', function () {
  this.timeout(120000);
  let redis;
  before(async function () {
    needTool(this, hasRedis, 'redis-server');
    redis = await startRedis();
  });
  after(async () => redis?.stop());

  it('two clients: each matches the reports of the other\'s messages, with the sender\'s correlation', async () => {
    const sim = new testing.IsmgSimulator({ reportDelayMs: 30, reportLink: 'other' });
    const port = await sim.start();
    const make = (name) => {
      const s = new store.RedisStore({ url: redis.url, prefix: `smsflow:test1:${port}`, instance: name });
      const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s });
      c.on('error', () => undefined);
      const reports = [];
      c.on('report', (r) => reports.push(r));
      return { s, c, reports };
    };
    const a = make('A');
    const b = make('B');
    await Promise.all([a.c.start(), b.c.start()]);
    await Promise.all(Array.from({ length: 100 }, (_, i) => a.c.send({ to: '13800138000', payload: `from A ${i}`, registeredDelivery: true, correlation: { from: 'A', n: i } })));
    await until(() => b.reports.length === 100, { timeoutMs: 20000, what: 'B to report A\'s 100 messages' });
    assert.equal(a.reports.length, 0, 'the gateway sent them all on B\'s link');
    assert.ok(b.reports.every((r) => r.matched && r.correlation.from === 'A'));
    assert.deepEqual(b.reports.map((r) => r.correlation.n).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
    for (const x of [a, b]) {
      await x.c.close();
      await x.s.close();
    }
    await sim.stop();
  });

  it('messages sent the moment a client starts, before it has read Redis, take no kept message\'s place: each sent once, the kept ones first', async () => {
    const prefix = `smsflow:start:${Date.now()}`;
    await sendsAtStart(() => new store.RedisStore({ url: redis.url, prefix, instance: 'A' }));
  });

  it('takes up an outbox written before its ids were kept in order (an earlier version\'s): each message sent once after the restart', async () => {
    const { createClient } = require('@redis/client');
    const probe = createClient({ url: redis.url });
    probe.on('error', () => undefined);
    await probe.connect();
    const port = await require('../support/node-red-process').freePort();
    const prefix = `smsflow:order:${port}`;
    const make = () => {
      const s = new store.RedisStore({ url: redis.url, prefix, instance: 'A' });
      const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s, reconnect: { initialMs: 20, maxMs: 50 }, queueTimeoutMs: 0 });
      c.on('error', () => undefined);
      return { s, c };
    };
    const first = make();
    first.c.start().catch(() => undefined);
    await first.c.recovery;
    for (let n = 0; n < 5; n++) first.c.send({ to: '13800138000', payload: `kept ${n}`, correlation: { n }, origin: 'node-1' }).catch(() => undefined);
    await first.c.close();
    await first.s.close();
    assert.equal(await probe.hLen(`${prefix}:outbox:A`), 5);
    await probe.del(`${prefix}:outbox-order:A`); // as an earlier version left it
    const sim = new testing.IsmgSimulator({ port });
    await sim.start();
    const second = make();
    const carried = [];
    second.c.on('carried', (x) => carried.push(x));
    try {
      await second.c.start();
      await until(() => carried.length === 5, { what: 'the 5 kept messages\' outcomes' });
      assert.deepEqual(sim.record.submits.map((x) => x.body.msgContent.toString()), [0, 1, 2, 3, 4].map((n) => `kept ${n}`));
      assert.ok(carried.every((x) => x.result.ok && x.result.carriedOver));
    } finally {
      await second.c.close();
      await second.s.close();
      await sim.stop();
      await probe.close();
    }
  });

  it('gathers writes into a pipeline per commit interval: 200 messages at once cost Redis fewer commands than messages, and leave nothing behind', async () => {
    const { createClient } = require('@redis/client');
    const probe = createClient({ url: redis.url });
    probe.on('error', () => undefined);
    await probe.connect();
    // Reports well after the commit interval: the expectations reach Redis before their reports come.
    const sim = new testing.IsmgSimulator({ reportDelayMs: 300 });
    const port = await sim.start();
    const prefix = `smsflow:gathered:${port}`;
    const s = new store.RedisStore({ url: redis.url, prefix, instance: 'A' });
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s });
    c.on('error', () => undefined);
    let reports = 0;
    c.on('report', () => reports++);
    await c.start();
    await c.send({ to: '13800138000', payload: 'first: the store has loaded' });
    await new Promise((resolve) => s.afterCommit(resolve));
    await probe.configResetStat();
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => c.send({ to: '13800138000', payload: `alert ${i}`, registeredDelivery: true, correlation: { n: i } })));
    assert.ok(sent.every((r) => r.ok));
    await until(() => reports === 200, { timeoutMs: 20000, what: 'the 200 reports' });
    await new Promise((resolve) => s.afterCommit(resolve));
    const stats = await probe.info('commandstats');
    const calls = Object.fromEntries([...stats.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)].map(([, name, n]) => [name, Number(n)]));
    // The script sets each expectation and its carrier id (2 SETs a message, counted as Redis runs them); the rest is what the store sent.
    // On a loaded machine a report may still come within the interval of its expectation, which then never reaches Redis: fewer pairs, never more.
    assert.ok(calls.set >= 2 && calls.set <= 400 && calls.set % 2 === 0, JSON.stringify(calls));
    const sentByStore = ['hset', 'hdel', 'eval', 'del'].reduce((sum, name) => sum + (calls[name] ?? 0), 0);
    assert.ok(sentByStore < 100, `${sentByStore} commands sent for 200 messages: ${JSON.stringify(calls)}`);
    assert.equal(await probe.hLen(`${prefix}:outbox:A`), 0, 'no outbox entry left');
    assert.equal(await probe.hLen(`${prefix}:messages:A`), 0, 'no message left');
    assert.deepEqual(await probe.keys(`${prefix}:report:*`), [], 'no expectation left');
    await c.close();
    await s.close();
    await probe.close();
    await sim.stop();
  });

  it('an outcome is given only once Redis has the removal of its message: with the gateway slow, each message is in Redis before its answer and gone before its outcome', async () => {
    const { createClient } = require('@redis/client');
    const probe = createClient({ url: redis.url });
    probe.on('error', () => undefined);
    await probe.connect();
    const sim = new testing.IsmgSimulator({});
    const port = await sim.start();
    const prefix = `smsflow:slow:${port}`;
    const s = new store.RedisStore({ url: redis.url, prefix, instance: 'A' });
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s });
    c.on('error', () => undefined);
    try {
      await c.start();
      // Answers that take longer than the commit interval: every record reaches Redis before its answer.
      sim.faults.responseDelayMs = 40;
      const inRedis = async () => Object.values(await probe.hGetAll(`${prefix}:messages:A`)).map((v) => JSON.parse(v).correlation.text);
      const stillThere = [];
      const texts = Array.from({ length: 20 }, (_, i) => `valve ${i} open`);
      let whileWaiting = 0;
      const sends = texts.map((text) => c.send({ to: '13800138000', payload: text, correlation: { text } }).then(async (r) => {
        assert.equal(r.ok, true);
        // What a kill -9 at this moment would leave for the restart: this message must not be there.
        if ((await inRedis()).includes(text)) stillThere.push(text);
      }));
      await until(async () => (whileWaiting = (await inRedis()).length) === 20, { what: 'the 20 records in Redis while the gateway is slow' });
      await Promise.all(sends);
      assert.equal(whileWaiting, 20);
      assert.deepEqual(stillThere, [], 'an outcome came while its message was still in Redis');
      assert.deepEqual(await inRedis(), []);
      // Answered within the interval: never in Redis at all.
      sim.faults.responseDelayMs = 0;
      const quick = new store.RedisStore({ url: redis.url, prefix: `${prefix}:quick`, instance: 'A', commitIntervalMs: 600000 });
      const q = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: quick });
      q.on('error', () => undefined);
      await q.start();
      await q.recovery; // reading what Redis kept sends what is gathered first
      await probe.configResetStat();
      assert.equal((await q.send({ to: '13800138000', payload: 'door 3 closed' })).ok, true);
      const stats = await probe.info('commandstats');
      assert.doesNotMatch(stats, /cmdstat_(hset|hdel|eval|set):/, 'nothing written for a message answered within the interval');
      await q.close();
      await quick.close();
    } finally {
      await c.close();
      await s.close();
      await probe.close();
      await sim.stop();
    }
  });

  it('SMPP, two clients: each matches the receipts of the other\'s messages, long ones combined, with the sender\'s correlation', async () => {
    const sim = new testing.SmscSimulator({ reportDelayMs: 30, receiptSession: 'other' });
    const port = await sim.start();
    const make = (name) => {
      const s = new store.RedisStore({ url: redis.url, prefix: `smsflow:smpp1:${port}`, instance: name });
      const c = new smpp.SmppClient({ host: '127.0.0.1', port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', store: s });
      c.on('error', () => undefined);
      const reports = [];
      c.on('report', (r) => reports.push(r));
      return { s, c, reports };
    };
    const a = make('A');
    const b = make('B');
    await Promise.all([a.c.start(), b.c.start()]);
    await until(() => sim.bound === 2, { what: 'both binds' });
    const long = 'Pump 3 stopped at 10:42; tank level low, check the valves. '.repeat(4);
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.c.send({ to: '886912345678', payload: i % 5 ? `from A ${i}` : long, registeredDelivery: true, correlation: { from: 'A', n: i } })));
    await until(() => b.reports.length === 50, { timeoutMs: 20000, what: 'B to report A\'s 50 messages' });
    assert.equal(a.reports.length, 0, 'the SMSC sent every receipt on B\'s bind');
    assert.ok(b.reports.every((r) => r.matched && r.status === 'delivered' && r.correlation.from === 'A'));
    assert.deepEqual(b.reports.map((r) => r.correlation.n).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.ok(b.reports.filter((r) => r.correlation.n % 5 === 0).every((r) => r.parts.total === 2 && r.parts.delivered === 2), 'a long message\'s receipts combined');
    for (const x of [a, b]) {
      await x.c.close();
      await x.s.close();
    }
    await sim.stop();
  });

  it('a long message stopped with parts 1 and 2 answered sends only part 3 after the restart', async () => {
    const sim = new testing.IsmgSimulator();
    const port = await sim.start();
    const make = () => {
      const s = new store.RedisStore({ url: redis.url, prefix: `smsflow:partial:${port}`, instance: 'A' });
      const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s, queueTimeoutMs: 0 });
      c.on('error', () => undefined);
      return { s, c };
    };
    const first = make();
    await first.c.start();
    let seen = 0;
    sim.on('submit', () => {
      if (++seen === 3) sim.faults.withholdResponses = true;
    });
    first.c.send({ to: '13800138000', payload: 'The cooling of room 2 failed at 03:12; '.repeat(9) }).catch(() => undefined);
    await until(() => seen === 3 && first.c.session.depth === 1, { what: 'parts 1 and 2 answered, part 3 waiting' });
    await new Promise((resolve) => first.s.afterCommit(resolve));
    await first.c.close();
    await first.s.close();
    sim.faults.withholdResponses = false;
    const before = sim.record.submits.length;
    const second = make();
    const carried = [];
    second.c.on('carried', (x) => carried.push(x));
    await second.c.start();
    await until(() => carried.length === 1, { what: 'the message carried over' });
    assert.deepEqual(sim.record.submits.slice(before).map((x) => `${x.body.pkNumber}/${x.body.pkTotal}`), ['3/3'], 'parts 1 and 2 were not sent again');
    assert.equal(carried[0].result.ok, true);
    await second.c.close();
    await second.s.close();
    await sim.stop();
  });

  it('a store that refuses to be asked (a read-only replica) ends a report group unknown, saying why, instead of leaving it pending for ever', async () => {
    const { createClient } = require('@redis/client');
    const admin = createClient({ url: redis.url });
    await admin.connect();
    const sim = new testing.IsmgSimulator({ reportDelayMs: 60000 });
    const port = await sim.start();
    const s = new store.RedisStore({ url: redis.url, prefix: `smsflow:claim:${port}`, instance: 'A' });
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s, reports: { ttlMs: 400 } });
    const errors = [];
    const reports = [];
    c.on('error', (err) => errors.push(err));
    c.on('report', (r) => reports.push(r));
    try {
      await c.start();
      assert.equal((await c.send({ to: '13800138000', payload: 'gate 1 forced', registeredDelivery: true, correlation: { gate: 1 } })).ok, true);
      await new Promise((resolve) => s.afterCommit(resolve));
      // Writes (the claim's DEL among them) now fail with READONLY.
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', '1']);
      await until(() => reports.length === 1, { what: 'the report group to end' });
      assert.equal(reports[0].status, 'unknown');
      assert.deepEqual(reports[0].correlation, { gate: 1 });
      assert.match(reports[0].detail, /no report within 0 s \(the store could not be asked: READONLY/);
      assert.ok(errors.some((e) => e.code === 'STORE_UNREACHABLE' && /READONLY/.test(e.message)), 'the store error is said');
    } finally {
      await admin.sendCommand(['REPLICAOF', 'NO', 'ONE']);
      await admin.close();
      await c.close();
      await s.close();
      await sim.stop();
    }
  });

  it('two clients: a long message whose parts arrive on both links is joined once', async () => {
    const sim = new testing.IsmgSimulator();
    const port = await sim.start();
    const make = (name) => {
      const s = new store.RedisStore({ url: redis.url, prefix: `smsflow:test2:${port}`, instance: name });
      const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s, reassembly: { timeoutMs: 2000 } });
      c.on('error', () => undefined);
      const got = [];
      c.on('message', (m) => got.push(m));
      return { s, c, got };
    };
    const a = make('A');
    const b = make('B');
    await Promise.all([a.c.start(), b.c.start()]);
    const text = '機房溫度過高，請立即檢查冷氣。'.repeat(12); // 3 parts
    await sim.injectMo({ from: '13800138000', to: '1069001', text, spread: true });
    await until(() => a.got.length + b.got.length === 1, { what: 'the joined message' });
    await new Promise((r) => setTimeout(r, 2500)); // past the reassembly timeout: nobody hands on a fragment
    const all = [...a.got, ...b.got];
    assert.equal(all.length, 1, 'joined once, on one instance');
    assert.deepEqual([all[0].payload, all[0].sms.parts, all[0].sms.incomplete], [text, 3, false]);
    for (const x of [a, b]) {
      await x.c.close();
      await x.s.close();
    }
    await sim.stop();
  });

  it('two Node-RED processes on one Redis, reports routed to the other link: all matched, each once', async () => {
    const sim = new testing.IsmgSimulator({ reportDelayMs: 30, reportLink: 'other' });
    const cmppPort = await sim.start();
    const reds = [await NodeRedProcess.create(), await NodeRedProcess.create()];
    const dirs = reds.map((red) => fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-out-')));
    try {
      for (const [i, red] of reds.entries()) {
        await red.start();
        await red.deploy(durableFlow(dirs[i], cmppPort, { store: 'redis', redisUrl: redis.url }));
      }
      await until(() => sim.sessions === 2, { what: 'both instances logged in' });
      await reds[0].request('POST', '/send?n=200&from=0', {});
      await reds[1].request('POST', '/send?n=200&from=200', {});
      const reportsOf = () => dirs.flatMap((d) => lines(path.join(d, 'reports.jsonl')));
      await until(() => reportsOf().length >= 400, { timeoutMs: 60000, what: '400 reports' });
      const reports = reportsOf();
      assert.ok(reports.every((r) => r.matched), `unmatched: ${reports.filter((r) => !r.matched).length}`);
      assert.deepEqual(reports.map((r) => r.n).sort((x, y) => x - y), Array.from({ length: 400 }, (_, i) => i), 'each message reported once, with its correlation');
      const first = lines(path.join(dirs[0], 'reports.jsonl')).map((r) => r.n);
      assert.ok(first.every((n) => n >= 200), 'instance A reported B\'s messages (the gateway sent them on A\'s link)');
    } finally {
      for (const red of reds) await red.dispose();
      await sim.stop();
    }
  });
});
