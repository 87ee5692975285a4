'use strict';
// One send over every channel: the router against the package's real
// simulators over loopback (an ISMG, an SMSC, an IMSP server, a virtual
// GSM network), with a clock the test moves for the revert time. Outages
// are real: a simulator stopped and started again on its port.
const assert = require('node:assert/strict');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const { cmpp, smpp, imsp, modem, route, store, segment } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');

const PHONE = '13800138000';
/** a number every channel takes, IMSP too */
const TAIWAN = '0912345678';
const quiet = (client) => {
  client.on('error', () => undefined);
  return client;
};

async function simulators(number = PHONE) {
  const ismg = new testing.IsmgSimulator({ reportDelayMs: 2 });
  const smsc = new testing.SmscSimulator({ reportDelayMs: 2 });
  await ismg.start();
  await smsc.start();
  const network = new testing.VirtualNetwork({ reportDelayMs: 2 });
  const phone = network.phone(number);
  const line = network.modem('+886911111111');
  const linePort = await line.listen();
  const delivered = [];
  ismg.on('phone', (m) => delivered.push({ via: 'cmpp', to: m.to, text: m.text }));
  smsc.on('phone', (m) => delivered.push({ via: 'smpp', to: m.to, text: m.text }));
  network.on('carried', (m) => delivered.push({ via: 'modem', to: m.to, text: m.text }));
  return { ismg, smsc, network, phone, line, linePort, delivered };
}

function clients(sims, extra = {}) {
  const c = quiet(new cmpp.CmppClient({ host: '127.0.0.1', port: sims.ismg.port, spId: '901234', sharedSecret: 'secret', srcId: '1069001', reconnect: { initialMs: 20, maxMs: 50 }, ...extra.cmpp }));
  const s = quiet(new smpp.SmppClient({ host: '127.0.0.1', port: sims.smsc.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', reconnect: { initialMs: 20, maxMs: 50 }, ...extra.smpp }));
  const m = quiet(new modem.Modem({ port: `tcp://127.0.0.1:${sims.linePort}`, signalIntervalMs: 0, reopen: { initialMs: 20, maxMs: 50 } }));
  return { c, s, m };
}

/** Stops a simulator and starts it again later on the same port. */
async function restartLater(sim) {
  const port = sim.port;
  await sim.stop();
  return async () => {
    sim.options.port = port;
    await sim.start();
  };
}

describe('sms route over real channels', function () {
  this.timeout(60000);
  let sims;
  let all;
  let router;
  afterEach(async () => {
    router?.close();
    await Promise.all(Object.values(all ?? {}).map((c) => c.close().catch(() => undefined)));
    await sims?.ismg.stop();
    await sims?.smsc.stop();
    sims?.network.stop();
    router = undefined;
    all = undefined;
  });

  it('fails over CMPP → SMPP → modem through two outages, each of 1000 messages sent once, reports matched, back on CMPP after the revert time', async () => {
    sims = await simulators();
    all = clients(sims);
    await Promise.all([all.c.start(), all.s.start(), all.m.start()]);
    let clock = 1e9;
    const channels = [route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s), route.modemChannel('m1', 'modem', all.m)];
    router = new route.Router(channels, { id: 'r1', rules: [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }, { channel: 'm1' }] }], revertMs: 30000, now: () => clock });
    const reports = [];
    for (const client of Object.values(all)) client.on('report', (r) => reports.push(r));

    const results = [];
    const sendBatch = async (from, count) => {
      const batch = [];
      for (let n = from; n < from + count; n++) batch.push(router.send({ to: PHONE, payload: `alert ${n}`, report: true, correlation: { n } }).then((r) => (results[n] = r)));
      await Promise.all(batch);
    };
    const sendRange = async (from, to) => {
      for (let n = from; n < to; n += 25) await sendBatch(n, Math.min(25, to - n));
    };

    // The simulators keep no report over a stop: each outage begins once the reports of what went before are in.
    const reportsIn = (n) => until(() => reports.length >= n, { what: `${n} reports` });
    await sendRange(0, 300);
    await reportsIn(300);
    const ismgBack = await restartLater(sims.ismg);
    await until(() => !all.c.canSend, { what: 'the CMPP client to see the gateway gone' });
    await sendRange(300, 400);
    await reportsIn(400);
    const smscBack = await restartLater(sims.smsc);
    await until(() => !all.s.canSend, { what: 'the SMPP client to see the SMSC gone' });
    await sendRange(400, 500);
    await smscBack();
    await until(() => all.s.canSend, { what: 'SMPP bound again' });
    // Back, but within the revert time: the route stays on the modem.
    await sendRange(500, 600);
    clock += 30000;
    await sendRange(600, 700);
    await ismgBack();
    await until(() => all.c.canSend, { what: 'CMPP logged in again' });
    await sendRange(700, 800);
    clock += 30000;
    await sendRange(800, 1000);

    assert.equal(results.filter(Boolean).length, 1000, 'one result per message');
    assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.results[0].code), [], 'every message sent');
    const via = (from, to) => [...new Set(results.slice(from, to).map((r) => r.via))];
    assert.deepEqual([via(0, 300), via(300, 400), via(400, 600), via(600, 800), via(800, 1000)], [['CMPP'], ['SMPP'], ['modem'], ['SMPP'], ['CMPP']]);
    // A channel that is down is skipped, not tried: nothing waited in its queue.
    assert.deepEqual([...new Set(results.map((r) => r.tries.length))], [1]);

    await until(() => sims.delivered.length >= 1000, { what: '1000 messages at the phone' });
    const texts = sims.delivered.map((d) => d.text);
    assert.equal(texts.length, 1000, 'no message delivered twice');
    assert.equal(new Set(texts).size, 1000);
    assert.deepEqual(['cmpp', 'smpp', 'modem'].map((v) => sims.delivered.filter((d) => d.via === v).length), [500, 300, 200]);

    await until(() => reports.length >= 1000, { timeoutMs: 20000, what: '1000 reports' });
    assert.equal(reports.filter((r) => r.matched === false).length, 0);
    const byN = new Map(reports.map((r) => [r.correlation.n, r]));
    assert.equal(byN.size, 1000, 'each message its own report, whichever channel carried it');
    assert.ok(reports.every((r) => r.correlation.route.id === 'r1'), 'reports carry the route mark');
  });

  it('takes back messages waiting unsent in a channel that goes down and sends them on the next one at once', async () => {
    sims = await simulators();
    all = clients(sims, { cmpp: { ratePerSecond: 10 } });
    await Promise.all([all.c.start(), all.s.start()]);
    const channels = [route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)];
    router = new route.Router(channels, { id: 'r1', rules: [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }] });
    const viaSmpp = [];
    const sends = Array.from({ length: 60 }, (_, n) => router.send({ to: PHONE, payload: `queued ${n}` }).then((r) => (r.via === 'SMPP' && viaSmpp.push(r), r)));
    await until(() => sims.delivered.length >= 12, { what: 'the first burst through' });
    const back = await restartLater(sims.ismg);
    // While the gateway is still down, the messages that waited unsent in CMPP are sent by SMPP.
    await until(() => viaSmpp.length >= 30, { what: 'the waiting messages sent by SMPP while CMPP is down' });
    await back();
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.ok), 'every message sent');
    const moved = results.filter((r) => r.via === 'SMPP');
    assert.ok(moved.length >= 30, `most of the queue moved (${moved.length})`);
    for (const r of moved) assert.deepEqual(r.tries.map((t) => [t.channel, t.code]), [['CMPP', 'CMPP_NOT_CONNECTED'], ['SMPP', 0]]);
    assert.equal(results.filter((r) => r.results.some((p) => /QUEUE_TIMEOUT/.test(String(p.code)))).length, 0);
    // A message in flight at the drop may reach the phone twice (at-least-once); one that never left, never.
    await until(() => new Set(sims.delivered.map((d) => d.text)).size === 60, { what: 'all 60 texts at the phone' });
    const inFlight = sims.ismg.record.submits.length - sims.delivered.filter((d) => d.via === 'cmpp').length;
    assert.ok(sims.delivered.length - 60 <= Math.max(0, inFlight) + 16, 'doubles only for what was in flight');
    assert.equal(sims.delivered.filter((d) => d.via === 'smpp' && sims.delivered.some((e) => e.via === 'cmpp' && e.text === d.text)).length, 0, 'none moved to SMPP also went by CMPP');
  });

  it('never fails over a message the gateway may have (CMPP_TIMEOUT), unless the route is told to', async () => {
    sims = await simulators();
    all = clients(sims, { cmpp: { responseTimeoutMs: 100, maxTries: 1 } });
    await Promise.all([all.c.start(), all.s.start()]);
    sims.ismg.faults.withholdResponses = true;
    const channels = [route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)];
    const rules = [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }];
    router = new route.Router(channels, { id: 'r1', rules });
    const result = await router.send({ to: PHONE, payload: 'maybe sent' });
    assert.equal(result.ok, false);
    assert.match(String(result.results[0].code), /^CMPP_(TIMEOUT|UNCERTAIN)$/);
    assert.deepEqual(result.tries.map((t) => t.channel), ['CMPP']);
    assert.equal(sims.delivered.filter((d) => d.via === 'smpp').length, 0, 'not sent a second time by SMPP');
    router.close();

    router = new route.Router(channels, { id: 'r2', rules, failOverUncertain: true });
    const twice = await router.send({ to: PHONE, payload: 'maybe twice' });
    assert.equal(twice.ok, true);
    assert.deepEqual(twice.tries.map((t) => t.channel), ['CMPP', 'SMPP']);
  });

  it('does not fail over a refusal every channel would give: a text over the parts limit', async () => {
    sims = await simulators();
    all = clients(sims);
    await Promise.all([all.c.start(), all.s.start()]);
    router = new route.Router([route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)], {
      id: 'r1',
      rules: [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }],
    });
    const result = await router.send({ to: PHONE, payload: 'x'.repeat(400), maxParts: 1 });
    assert.equal(result.ok, false);
    assert.equal(result.results[0].code, 'SMS_TOO_MANY_PARTS');
    assert.deepEqual(result.tries.map((t) => t.channel), ['CMPP']);
    assert.equal(sims.delivered.length, 0);
  });

  it('routes each number by its prefix in one send, and says SMS_NO_ROUTE for a number no rule takes', async () => {
    sims = await simulators();
    all = clients(sims);
    await Promise.all([all.c.start(), all.s.start()]);
    router = new route.Router([route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)], {
      id: 'r1',
      rules: [
        { prefixes: ['+86', '1'], strategy: 'failover', channels: [{ channel: 'c1' }] },
        { prefixes: ['+886', '09'], strategy: 'failover', channels: [{ channel: 's1' }] },
      ],
    });
    const result = await router.send({ to: ['13800138000', '+886912345678', '+8613900139000', '0912345678', '+15551234567'], payload: 'door open' });
    assert.deepEqual(result.results.map((r) => [r.to, r.via, r.ok ? 'ok' : r.code]), [
      ['13800138000', 'CMPP', 'ok'],
      ['+886912345678', 'SMPP', 'ok'],
      ['+8613900139000', 'CMPP', 'ok'],
      ['0912345678', 'SMPP', 'ok'],
      ['+15551234567', '', 'SMS_NO_ROUTE'],
    ]);
    assert.equal(result.ok, false);
    assert.equal(result.via, 'CMPP, SMPP');
    await until(() => sims.delivered.length === 4, { what: '4 at the phones' });
  });

  it('spreads over the channels by weight: 3:1 over 4000 messages', async () => {
    sims = await simulators();
    all = clients(sims, { cmpp: { window: 64 }, smpp: { window: 64 } });
    await Promise.all([all.c.start(), all.s.start()]);
    router = new route.Router([route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)], {
      id: 'r1',
      rules: [{ prefixes: [], strategy: 'roundrobin', channels: [{ channel: 'c1', weight: 3 }, { channel: 's1', weight: 1 }] }],
    });
    const results = [];
    for (let n = 0; n < 4000; n += 200) results.push(...(await Promise.all(Array.from({ length: 200 }, (_, i) => router.send({ to: PHONE, payload: `rr ${n + i}` })))));
    assert.ok(results.every((r) => r.ok));
    const count = (v) => results.filter((r) => r.via === v).length;
    assert.deepEqual([count('CMPP'), count('SMPP')], [3000, 1000]);
    // Spread out, not in runs: every four messages hold exactly one by SMPP.
    for (let i = 0; i < 4000; i += 4) assert.equal(results.slice(i, i + 4).filter((r) => r.via === 'SMPP').length, 1, `messages ${i}..${i + 3}`);
    const view = router.view()[0];
    assert.deepEqual(view.channels.map((c) => [c.name, c.state, c.sent]), [['CMPP', 'up', 3000], ['SMPP', 'up', 1000]]);
  });

  it('goes on after a restart: a message its channel could not send before the restart moves to the next channel', async () => {
    sims = await simulators();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-'));
    const file = path.join(dir, 'cmpp.db');
    const cmppOptions = (s) => ({ host: '127.0.0.1', port: sims.ismg.port, spId: '901234', sharedSecret: 'secret', srcId: '1069001', reconnect: { initialMs: 20, maxMs: 50 }, store: s, queueTimeoutMs: 300 });
    const back = await restartLater(sims.ismg);
    const firstStore = new store.SqliteStore({ file });
    const first = quiet(new cmpp.CmppClient(cmppOptions(firstStore)));
    all = { s: quiet(new smpp.SmppClient({ host: '127.0.0.1', port: sims.smsc.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS' })) };
    first.start().catch(() => undefined);
    // Everything down: the primary takes the message and keeps it in its store.
    const before = new route.Router([route.cmppChannel('c1', 'CMPP', first), route.smppChannel('s1', 'SMPP', all.s)], {
      id: 'r1',
      rules: [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }],
    });
    before.send({ to: PHONE, payload: 'kept over a restart', origin: 'node-1', correlation: { n: 7 } }).catch(() => undefined);
    await until(() => first.session.depth === 1, { what: 'the message queued in CMPP' });
    before.close();
    await first.close();
    firstStore.close();

    // The next start: SMPP is up, the gateway still down; CMPP's queue wait ends and the route goes on.
    await all.s.start();
    all.c = quiet(new cmpp.CmppClient(cmppOptions(new store.SqliteStore({ file }))));
    router = new route.Router([route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s)], {
      id: 'r1',
      rules: [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }],
    });
    const outcome = new Promise((resolve) => all.c.on('carried', (carried) => resolve(router.resume('c1', carried))));
    all.c.start().catch(() => undefined);
    const result = await outcome;
    assert.equal(result.ok, true);
    assert.equal(result.via, 'SMPP');
    assert.deepEqual(result.tries.map((t) => [t.channel, t.code]), [['CMPP', 'CMPP_QUEUE_TIMEOUT'], ['SMPP', 0]]);
    await until(() => sims.delivered.some((d) => d.text === 'kept over a restart'), { what: 'the message at the phone' });
    assert.equal(sims.delivered.length, 1);
    await back();
  });
});

describe('least cost', function () {
  this.timeout(30000);
  let sims;
  let all;
  let imspSim;
  afterEach(async () => {
    await Promise.all(Object.values(all ?? {}).map((c) => c.close()?.catch(() => undefined)));
    await sims?.ismg.stop();
    await sims?.smsc.stop();
    sims?.network.stop();
    await imspSim?.stop();
  });

  it('picks the channel whose price times the parts the text needs there is least, text by text', async () => {
    sims = await simulators(TAIWAN);
    all = clients(sims);
    imspSim = new testing.ImspSimulator();
    await imspSim.start();
    all.i = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', baseUrl: imspSim.baseUrl, ca: imspSim.certificate.cert });
    await Promise.all([all.c.start(), all.s.start(), all.m.start()]);
    const channels = [route.cmppChannel('c1', 'CMPP', all.c), route.smppChannel('s1', 'SMPP', all.s), route.imspChannel('i1', 'IMSP', all.i), route.modemChannel('m1', 'modem', all.m)];
    const prices = [
      { channel: 'c1', price: 0.04 },
      { channel: 's1', price: 0.05 },
      { channel: 'i1', price: 0.03 },
      { channel: 'm1', price: 0.1 },
    ];
    const router = new route.Router(channels, { id: 'r1', rules: [{ prefixes: [], strategy: 'leastcost', channels: prices }] });
    // The parts each text needs on each channel, from each target's profile: CMPP writes ASCII in 8 bits (or UCS-2), the others GSM 7-bit (escapes count two) or UCS-2.
    const table = [
      { text: 'Pump 3 stopped.', parts: { cmpp: 1, smpp: 1, imsp: 1, pdu: 1 }, pick: 'IMSP' },
      { text: '[]{}'.repeat(30), parts: { cmpp: 1, smpp: 2, imsp: 2, pdu: 2 }, pick: 'CMPP' },
      { text: 'Temp €'.repeat(25), parts: { cmpp: 3, smpp: 2, imsp: 2, pdu: 2 }, pick: 'IMSP' },
      { text: 'x'.repeat(160), parts: { cmpp: 2, smpp: 1, imsp: 1, pdu: 1 }, pick: 'IMSP' },
      { text: '~^|'.repeat(40), parts: { cmpp: 1, smpp: 2, imsp: 2, pdu: 2 }, pick: 'CMPP' },
    ];
    for (const row of table) {
      const parts = Object.fromEntries(Object.keys(row.parts).map((t) => [t, segment(row.text, { target: t }).count]));
      assert.deepEqual(parts, row.parts, `the parts of "${row.text.slice(0, 12)}…"`);
      const result = await router.send({ to: TAIWAN, payload: row.text });
      assert.equal(result.via, row.pick, `"${row.text.slice(0, 12)}…"`);
    }
    router.close();
  });
});

describe('route rules', () => {
  const channel = (id) => ({ id, name: id, kind: 'cmpp', canSend: true, parts: () => 1, send: async () => undefined, withdrawUnsent: () => 0, watch: () => () => undefined });
  const make = (rules, extra = {}) => new route.Router([channel('a'), channel('b')], { id: 'r', rules, ...extra });
  for (const [rules, field] of [
    [[], 'rules'],
    [[{ prefixes: ['+88x'], channels: [{ channel: 'a' }] }], 'rules[0].prefixes'],
    [[{ strategy: 'cheapest', channels: [{ channel: 'a' }] }], 'rules[0].strategy'],
    [[{ channels: [] }], 'rules[0].channels'],
    [[{ channels: [{ channel: 'a' }] }, { channels: [{ channel: 'z' }] }], 'rules[1].channels[0].channel'],
    [[{ channels: [{ channel: 'a' }, { channel: 'a' }] }], 'rules[0].channels[1].channel'],
    [[{ strategy: 'roundrobin', channels: [{ channel: 'a', weight: 0 }] }], 'rules[0].channels[0].weight'],
    [[{ strategy: 'leastcost', channels: [{ channel: 'b', price: -1 }] }], 'rules[0].channels[0].price'],
  ]) {
    it(`refuses ${JSON.stringify(rules)}, naming ${field}`, () => {
      assert.throws(() => make(rules), (err) => err.code === 'SMS_FIELD' && err.field === field && err.message.startsWith(field));
    });
  }

  it('refuses a fail-over code that is not one', () => {
    assert.throws(() => make([{ channels: [{ channel: 'a' }] }], { failOverOn: ['CMPP_QUEUE_FULL', 'queue full'] }), (err) => err.field === 'failOverOn');
  });

  it('matches codes with * for any characters, and keeps the ones the carrier may have out of the defaults', () => {
    const router = make([{ channels: [{ channel: 'a' }] }]);
    const notSent = (code) => router.failsOver(code);
    for (const code of ['CMPP_NOT_CONNECTED', 'SMPP_QUEUE_TIMEOUT', 'CMPP_CONNECT_3', 'MODEM_PIN_REFUSED', 'IMSP_NETWORK', 'SMPP_FLOW_CONTROL']) assert.ok(notSent(code), code);
    for (const code of ['CMPP_UNCERTAIN', 'SMPP_TIMEOUT', 'IMSP_TIMEOUT', 'IMSP_UNCERTAIN', 'SMS_FIELD', 'SMS_TOO_MANY_PARTS', 'CMPP_13', 'MODEM_CLOSED']) assert.ok(!notSent(code), code);
    const told = make([{ channels: [{ channel: 'a' }] }], { failOverUncertain: true, failOverOn: ['CMPP_13'] });
    assert.deepEqual(['CMPP_UNCERTAIN', 'CMPP_13', 'CMPP_QUEUE_FULL', 'SMS_FIELD'].map((c) => told.failsOver(c)), [true, true, false, false]);
  });
});

describe('route state shared by two instances through Redis', function () {
  this.timeout(30000);
  const { needTool } = require('../support/tools');
  const { hasRedis, startRedis } = require('../support/redis');
  let redis;
  let sims;
  let ismg2;
  let clients = [];
  let routers = [];
  before(async function () {
    needTool(this, hasRedis, 'redis-server');
    redis = await startRedis();
  });
  after(async () => redis?.stop());
  afterEach(async () => {
    for (const r of routers) {
      r.close();
      await r.state.close();
    }
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await sims?.ismg.stop();
    await sims?.smsc.stop();
    await ismg2?.stop();
    sims?.network.stop();
    routers = [];
    clients = [];
  });

  /** One instance: its own CMPP and SMPP clients, a router on the shared state. */
  async function instance(ismgPort, rules, key, now) {
    const c = quiet(new cmpp.CmppClient({ host: '127.0.0.1', port: ismgPort, spId: '901234', sharedSecret: 'secret', srcId: '1069001', reconnect: { initialMs: 20, maxMs: 50 } }));
    const s = quiet(new smpp.SmppClient({ host: '127.0.0.1', port: sims.smsc.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', reconnect: { initialMs: 20, maxMs: 50 } }));
    clients.push(c, s);
    await Promise.all([c.start(), s.start()]);
    const state = new route.RedisRouteState({ url: redis.url, key, refreshMs: 20 });
    await state.ready;
    const router = new route.Router([route.cmppChannel('c1', 'CMPP', c), route.smppChannel('s1', 'SMPP', s)], { id: 'shared', rules, state, revertMs: 30000, now });
    routers.push(router);
    return { c, s, router };
  }

  it('round robin 3:1 over both: one turn counter, so every four messages of the two together hold one by SMPP', async () => {
    sims = await simulators();
    const rules = [{ prefixes: [], strategy: 'roundrobin', channels: [{ channel: 'c1', weight: 3 }, { channel: 's1', weight: 1 }] }];
    const key = `smsflow:route:rr-${Date.now()}`;
    const [a, b] = [await instance(sims.ismg.port, rules, key), await instance(sims.ismg.port, rules, key)];
    const results = [];
    for (let n = 0; n < 400; n++) results.push(await (n % 2 ? b : a).router.send({ to: PHONE, payload: `rr ${n}` }));
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual([results.filter((r) => r.via === 'CMPP').length, results.filter((r) => r.via === 'SMPP').length], [300, 100]);
    for (let i = 0; i < 400; i += 4) assert.equal(results.slice(i, i + 4).filter((r) => r.via === 'SMPP').length, 1, `messages ${i}..${i + 3}`);
    // A draws turns 0, 2, 4, 6 of the one cycle (CMPP CMPP SMPP CMPP): alone it would have drawn 0, 1, 2, 3.
    assert.deepEqual(results.filter((_, n) => n % 2 === 0).map((r) => r.via).slice(0, 4), ['CMPP', 'SMPP', 'CMPP', 'SMPP']);
  });

  it('a failure one instance sees moves the other off that channel too, until the revert time', async () => {
    sims = await simulators();
    ismg2 = new testing.IsmgSimulator({ reportDelayMs: 2 });
    await ismg2.start();
    let clock = 1e9;
    const now = () => clock;
    const rules = [{ prefixes: [], strategy: 'failover', channels: [{ channel: 'c1' }, { channel: 's1' }] }];
    const key = `smsflow:route:fo-${Date.now()}`;
    const a = await instance(sims.ismg.port, rules, key, now);
    const b = await instance(ismg2.port, rules, key, now);
    assert.equal((await b.router.send({ to: PHONE, payload: 'before' })).via, 'CMPP');
    // A's gateway goes away; B's link to its own stays up.
    await sims.ismg.stop();
    await until(() => !a.c.canSend, { what: 'A to see its CMPP link down' });
    assert.equal(b.c.canSend, true);
    await until(() => b.router.view()[0].inUse === 'SMPP', { what: 'B to read A\'s failure from Redis' });
    assert.equal((await b.router.send({ to: PHONE, payload: 'during' })).via, 'SMPP');
    clock += 30000;
    assert.equal((await b.router.send({ to: PHONE, payload: 'after' })).via, 'CMPP');
  });
});
