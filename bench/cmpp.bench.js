'use strict';
// CMPP: codec rates, and SUBMIT -> SUBMIT_RESP throughput of one connection
// (window 16) against the simulator over loopback, next to a raw TCP
// exchange of frames of the same sizes with the same window, in the same run.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { cmpp, store } = require('../dist/src');
const testing = require('../dist/src/testing');
const { compare, printTable, QUICK, scaled } = require('./harness');

const BODY = {
  msgId: '0', pkTotal: 1, pkNumber: 1, registeredDelivery: 0, msgLevel: 0, serviceId: 'ALERT', feeUserType: 2, feeTerminalId: '',
  feeTerminalType: 0, tpPid: 0, tpUdhi: 0, msgFmt: 0, msgSrc: '901234', feeType: '01', feeCode: '000000', validTime: '', atTime: '',
  srcId: '1069001', destUsrTl: 1, destTerminalId: ['13800138000'], destTerminalType: 0, msgLength: 40,
  msgContent: Buffer.from('Server room B: temperature 36C, check it'), linkId: '',
};
const WINDOW = 16;
const SECONDS = QUICK ? 0.2 : 2;

/** Keeps twice the window of `op`s running for `ms`; resolves with completed ops per second. */
async function keepBusy(op, ms, links = 1) {
  let done = 0;
  const until = Date.now() + ms;
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    let running = 0;
    const pump = () => {
      while (running < WINDOW * 2 * links && Date.now() < until) {
        running++;
        op().then(() => {
          done++;
          running--;
          if (Date.now() < until) pump();
          else if (running === 0) resolve();
        }, reject);
      }
    };
    pump();
  });
  return (done * 1e9) / Number(process.hrtime.bigint() - started);
}

async function throughputOfSession(links = 1) {
  const sim = new testing.IsmgSimulator({ lean: true });
  const port = await sim.start();
  const session = new cmpp.CmppSession({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: 1e6, links });
  await session.start();
  while (session.linksUp < links) await new Promise((r) => setTimeout(r, 10));
  const rate = await keepBusy(() => session.request('SUBMIT', BODY), SECONDS * 1000, links);
  await session.close();
  await sim.stop();
  return rate;
}

/** The same exchange with no codec and no session: length-prefixed frames of the same sizes, window 16. */
async function throughputOfRawTcp() {
  const request = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY });
  const response = cmpp.encode({ command: 'SUBMIT_RESP', sequenceId: 1, body: { msgId: '1', result: 0 } });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let n = 0;
      while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
        pending = pending.subarray(pending.readUInt32BE(0));
        n++;
      }
      if (n) socket.write(Buffer.concat(Array(n).fill(response)));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect(server.address().port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  let done = 0;
  let inflight = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  await new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const fill = () => {
      const n = Date.now() < until ? WINDOW - inflight : 0;
      if (n > 0) {
        inflight += n;
        socket.write(Buffer.concat(Array(n).fill(request)));
      } else if (inflight === 0) resolve();
    };
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
        pending = pending.subarray(pending.readUInt32BE(0));
        inflight--;
        done++;
      }
      fill();
    });
    fill();
  });
  const rate = (done * 1e9) / Number(process.hrtime.bigint() - started);
  socket.destroy();
  server.close();
  return rate;
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

/** Per-message rate of a burst of `count` requests queued at once (the queue's cost as it grows). */
async function burst(count) {
  const sim = new testing.IsmgSimulator({ lean: true });
  const port = await sim.start();
  const session = new cmpp.CmppSession({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: WINDOW, maxQueue: count + 1, queueTimeoutMs: 0 });
  await session.start();
  const started = process.hrtime.bigint();
  const all = [];
  for (let i = 0; i < count; i++) all.push(session.request('SUBMIT', BODY));
  await Promise.all(all);
  const rate = (count * 1e9) / Number(process.hrtime.bigint() - started);
  await session.close();
  await sim.stop();
  return rate;
}

/** The store on (a SQLite file) and off (memory), in alternating rounds; the medians. */
async function storeOnAndOff() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-bench-'));
  const on = [];
  const off = [];
  try {
    for (let round = 0; round < 3; round++) {
      off.push(await throughputOfClient(() => new store.MemoryStore()));
      on.push(await throughputOfClient(() => new store.SqliteStore({ file: path.join(dir, `round-${round}.sqlite`) })));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const median = (v) => [...v].sort((a, b) => a - b)[1];
  return { on: median(on), off: median(off) };
}

module.exports = async function run() {
  const frame = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY });
  const codec = compare({
    encode: () => cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: BODY }),
    decode: () => cmpp.decode(frame),
  });
  const raw = await throughputOfRawTcp();
  const ours = await throughputOfSession();
  printTable('CMPP (operations per second)', [
    { name: 'encode SUBMIT (3.0)', ours: codec.encode },
    { name: 'decode SUBMIT (3.0)', ours: codec.decode },
    { name: `SUBMIT->RESP, 1 connection, window ${WINDOW}`, ours, peer: raw, peerName: 'raw TCP' },
  ]);
  console.log(`  floor: 20000 submits/s per connection -> ${ours >= 20000 ? 'met' : 'NOT met'} (${Math.round(ours)})`);
  const byLinks = {};
  for (const links of [1, 2, 4]) byLinks[links] = await throughputOfSession(links);
  printTable('CMPP, one account over several links (SUBMIT->RESP per second, all links together)', [1, 2, 4].map((n) => (
    { name: `${n} link${n > 1 ? 's' : ''}, window ${WINDOW} each`, ours: byLinks[n], peer: n > 1 ? byLinks[1] : undefined, peerName: n > 1 ? '1 link' : undefined }
  )));
  console.log('  (on 2 cores the simulator takes half the CPU: more links add little here; against a carrier each link has its own cap)');
  const small = [];
  const large = [];
  for (let round = 0; round < 3; round++) {
    small.push(await burst(scaled(1000)));
    large.push(await burst(scaled(200000)));
  }
  const med = (v) => [...v].sort((x, y) => x - y)[1];
  printTable('CMPP send queue (requests per second, all queued at once)', [
    { name: 'a burst of 200k', ours: med(large), peer: med(small), peerName: 'burst of 1k' },
  ]);
  const queueRatio = med(large) / med(small);
  console.log(`  goal: ratio 0.90 -> ${queueRatio >= 0.9 ? 'met' : 'below goal'} (${queueRatio.toFixed(2)})`);
  const stored = await storeOnAndOff();
  printTable('CMPP with the store (CmppClient.send with delivery reports, messages per second)', [
    { name: 'SQLite store on', ours: stored.on, peer: stored.off, peerName: 'memory' },
  ]);
  const ratio = stored.on / stored.off;
  console.log(`  goal: ratio 0.80 -> ${ratio >= 0.8 ? 'met' : 'below goal'} (${ratio.toFixed(2)})`);
};
