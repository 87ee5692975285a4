'use strict';
// CMPP: codec rates, and SUBMIT -> SUBMIT_RESP throughput of one connection
// (window 16) against a minimal independent gateway over loopback, next to a
// raw TCP exchange of frames of the same sizes with the same window against
// the same gateway, in alternating rounds of the same run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cmpp, store } = require('../dist/src/internal');
const testing = require('../dist/src/testing');
const { alternate, compare, keepBusy, median, printTable, QUICK, rawLoop, scaled, verdict } = require('./harness');
const { startMinimalIsmg } = require('./minimal-ismg');

const BODY = {
  msgId: '0', pkTotal: 1, pkNumber: 1, registeredDelivery: 0, msgLevel: 0, serviceId: 'ALERT', feeUserType: 2, feeTerminalId: '',
  feeTerminalType: 0, tpPid: 0, tpUdhi: 0, msgFmt: 0, msgSrc: '901234', feeType: '01', feeCode: '000000', validTime: '', atTime: '',
  srcId: '1069001', destUsrTl: 1, destTerminalId: ['13800138000'], destTerminalType: 0, msgLength: 40,
  msgContent: Buffer.from('Server room B: temperature 36C, check it'), linkId: '',
};
const WINDOW = 16;
const SECONDS = QUICK ? 0.2 : 1.5;

async function throughputOfSession(port, links = 1) {
  const session = new cmpp.CmppSession({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: 1e6, links });
  await session.start();
  while (session.linksUp < links) await new Promise((r) => setTimeout(r, 10));
  let answered = 0;
  const rate = await keepBusy(async () => {
    const pdu = await session.request('SUBMIT', BODY);
    if (pdu.command !== 'SUBMIT_RESP' || pdu.body.result !== 0) throw new Error(`unexpected answer ${pdu.command} ${pdu.body.result}`);
    answered++;
  }, SECONDS * 1000, WINDOW * 2 * links);
  await session.close();
  if (!answered) throw new Error('no SUBMIT was answered');
  return rate;
}

/** CmppClient.send: text in, a checked result out (no reports: the minimal gateway sends none). */
async function throughputOfClientSend(port) {
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: 1e6, srcId: '1069001', serviceId: 'ALERT' });
  await client.start();
  const rate = await keepBusy(async () => {
    const r = await client.send({ to: '13800138000', payload: 'Server room B: temperature 36C, check it' });
    if (!r.ok || !r.results[0].id) throw new Error(`send failed: ${r.results[0].description}`);
  }, SECONDS * 1000);
  await client.close();
  return rate;
}

/** The same exchange with no codec and no session: SUBMIT frames of the same size, window 16, against the same gateway. */
function throughputOfRawTcp(port) {
  const request = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY });
  return rawLoop({ port, request, sequenceAt: 8, window: WINDOW, ms: SECONDS * 1000, answerId: 0x80000004 });
}

/** Messages per second through CmppClient.send with delivery reports, over the given store. */
async function throughputOfClient(makeStore) {
  const sim = new testing.IsmgSimulator({ lean: true, reportDelayMs: 0 });
  const port = await sim.start();
  const s = makeStore();
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: 1e6, store: s });
  let reports = 0;
  client.on('report', () => reports++);
  await client.start();
  let n = 0;
  const rate = await keepBusy(async () => {
    const r = await client.send({ to: '13800138000', payload: 'Server room B: temperature 36C, check it', registeredDelivery: true, correlation: { n: n++ } });
    if (!r.ok) throw new Error(`send failed: ${r.results[0].description}`);
  }, SECONDS * 750);
  await client.close();
  await s.close();
  await sim.stop();
  if (reports === 0) throw new Error('no report came back: the bench did not exercise the store');
  return rate;
}

/**
 * Per-message rate of bursts of `count` requests queued at once (the
 * queue's cost as it grows), `times` bursts one after another on one
 * session: a burst of 1k alone lasts a few milliseconds, too short to time.
 * `promises`: each request is a promise the caller holds (session.request);
 * otherwise one waiter hears every answer (session.enqueue, as the clients
 * queue their parts).
 */
async function burst(port, count, times = 1, promises = true) {
  const session = new cmpp.CmppSession({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: count + 1, queueTimeoutMs: 0 });
  await session.start();
  const gc = gcTime();
  const started = process.hrtime.bigint();
  for (let t = 0; t < times; t++) {
    if (promises) {
      const all = [];
      for (let i = 0; i < count; i++) all.push(session.request('SUBMIT', BODY));
      await Promise.all(all);
      continue;
    }
    await new Promise((resolve, reject) => {
      let left = count;
      const waiter = {
        answered: (pdu) => {
          if (pdu.command !== 'SUBMIT_RESP' || pdu.body.result !== 0) reject(new Error(`unexpected answer ${pdu.command} ${pdu.body.result}`));
          else if (--left === 0) resolve();
        },
        failed: reject,
      };
      for (let i = 0; i < count; i++) session.enqueue('SUBMIT', BODY, waiter);
    });
  }
  const ns = Number(process.hrtime.bigint() - started);
  // The garbage collector's share of the burst: its pauses, as V8 reports them.
  await new Promise((resolve) => setImmediate(resolve));
  if (promises) gcShares[count > 1000 ? 'large' : 'small'].push(gc.stop() / (ns / 1e6));
  else gc.stop();
  await session.close();
  return (count * times * 1e9) / ns;
}

const gcShares = { small: [], large: [] };

/** Milliseconds of garbage collection from now until stop(). */
function gcTime() {
  const { PerformanceObserver } = require('node:perf_hooks');
  let ms = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) ms += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      for (const entry of observer.takeRecords()) ms += entry.duration;
      observer.disconnect();
      return ms;
    },
  };
}

/**
 * The store on (a SQLite file; Redis, Debian's redis-server started here
 * without persistence, where it is installed) and off (memory), in
 * alternating rounds; the medians.
 */
async function storeOnAndOff() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-bench-'));
  const { hasRedis, startRedis } = require('../test/support/redis');
  const redis = hasRedis ? await startRedis() : undefined;
  let files = 0;
  try {
    return await alternate({
      off: () => throughputOfClient(() => new store.MemoryStore()),
      on: () => throughputOfClient(() => new store.SqliteStore({ file: path.join(dir, `round-${files++}.sqlite`) })),
      ...(redis && { redis: () => throughputOfClient(() => new store.RedisStore({ url: redis.url, prefix: `bench:${files++}`, instance: 'bench' })) }),
    });
  } finally {
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = async function run() {
  const frame = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY });
  const codec = compare({
    encode: () => cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY }),
    decode: () => cmpp.decode(frame),
  });
  const gateway = await startMinimalIsmg();
  try {
    const wire = await alternate({
      raw: () => throughputOfRawTcp(gateway.port),
      session: () => throughputOfSession(gateway.port),
      client: () => throughputOfClientSend(gateway.port),
    });
    printTable('CMPP against a minimal independent gateway (bench/minimal-ismg.js), 1 connection, window 16, per second', [
      { name: 'encode SUBMIT (3.0)', ours: codec.encode },
      { name: 'decode SUBMIT (3.0)', ours: codec.decode },
      { name: 'SUBMIT->RESP, CmppSession.request', ours: wire.session, peer: wire.raw, peerName: 'raw TCP' },
      { name: 'message->result, CmppClient.send', ours: wire.client, peer: wire.raw, peerName: 'raw TCP' },
    ]);
    console.log(verdict(wire.session / wire.raw, 0.5, 'session'));
    console.log(verdict(wire.client / wire.raw, 0.35, 'client'));

    const byLinks = await alternate({ 1: () => throughputOfSession(gateway.port, 1), 2: () => throughputOfSession(gateway.port, 2), 4: () => throughputOfSession(gateway.port, 4) });
    printTable('CMPP, one account over several links (SUBMIT->RESP per second, all links together)', [1, 2, 4].map((n) => (
      { name: `${n} link${n > 1 ? 's' : ''}, window ${WINDOW} each`, ours: byLinks[n], peer: n > 1 ? byLinks[1] : undefined, peerName: n > 1 ? '1 link' : undefined }
    )));
    console.log('  (one process on 2 cores with the gateway: more links add little here; against a carrier each link has its own cap)');

    const bursts = await alternate({
      small: () => burst(gateway.port, scaled(1000), 50, false),
      large: () => burst(gateway.port, scaled(200000), 1, false),
      smallPromised: () => burst(gateway.port, scaled(1000), 50),
      largePromised: () => burst(gateway.port, scaled(200000)),
    });
    printTable('CMPP send queue (requests per second, all queued at once)', [
      { name: 'a burst of 200k (session.enqueue)', ours: bursts.large, peer: bursts.small, peerName: '50 bursts of 1k' },
      { name: 'a burst of 200k, a promise each (session.request)', ours: bursts.largePromised, peer: bursts.smallPromised, peerName: '50 bursts of 1k' },
    ]);
    console.log(verdict(bursts.large / bursts.small, 0.9, 'the queue, as the clients use it'));
    const share = (v) => `${Math.round(median(v) * 100)}%`;
    console.log(`  (a promise each: garbage collection takes ${share(gcShares.large)} of a 200k burst's time and ${share(gcShares.small)} of the 1k bursts': the caller's 200k promises live until answered)`);
  } finally {
    await gateway.stop();
  }
  const stored = await storeOnAndOff();
  printTable('CMPP with the store (CmppClient.send with delivery reports from the simulator, messages per second)', [
    { name: 'SQLite store', ours: stored.on, peer: stored.off, peerName: 'memory' },
    ...(stored.redis ? [{ name: 'Redis store (redis-server on loopback)', ours: stored.redis, peer: stored.off, peerName: 'memory' }] : []),
  ]);
  console.log(verdict(stored.on / stored.off, 0.9, 'SQLite'));
  if (stored.redis) console.log(verdict(stored.redis / stored.off, 0.5, 'Redis'));
  else console.log('  Redis: redis-server is not installed here (apt-get install redis-server): no row');
};
