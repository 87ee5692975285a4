'use strict';
// Cost flat in what is outstanding: CmppClient.send with delivery reports
// (memory store) when 100,000 report expectations already wait (as after a
// restart with that many awaited: the store holds them and the client loads
// them at start) next to the same with none, in alternating rounds of one run;
// and the same at the tracker's bound, where each new message drops the oldest.
const { cmpp, store } = require('../dist/src/internal');
const testing = require('../dist/src/testing');
const { alternate, keepBusy, printTable, QUICK, scaled, verdict } = require('./harness');

const SECONDS = QUICK ? 0.2 : 1.5;
const OUTSTANDING = scaled(100000);

function settleHeap() {
  if (typeof global.gc !== 'function') throw new Error('run by npm run bench (node --expose-gc): the heap is settled before each round');
  global.gc();
  global.gc();
}

/** A memory store holding `n` report expectations of messages sent before (none of them answered here). */
function storeAwaiting(n) {
  const s = new store.MemoryStore();
  const expiresAt = Date.now() + 48 * 3600e3;
  for (let i = 0; i < n; i++) {
    s.reports.save({ key: `before-${i}:1390${String(i).padStart(7, '0')}`, to: `1390${String(i).padStart(7, '0')}`, total: 1, ids: { 1: `9${String(i).padStart(18, '0')}` }, shown: {}, outcomes: {}, submittedAt: '2026-12-01T00:00:00Z', expiresAt });
  }
  return s;
}

/** `maxPending`: the tracker's bound (default 100,000); at it, each new message drops the oldest expectation. */
async function throughput(outstanding, maxPending = 2 * OUTSTANDING) {
  const sim = new testing.IsmgSimulator({ lean: true, reportDelayMs: 0 });
  const port = await sim.start();
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: 16, maxQueue: 1e6, reports: { maxPending }, store: storeAwaiting(outstanding) });
  client.on('error', () => undefined);
  let reports = 0;
  client.on('report', (r) => r.matched && reports++);
  await client.start();
  if (client.pendingReports < Math.min(outstanding, maxPending)) throw new Error(`the client awaits ${client.pendingReports} reports, not ${outstanding}`);
  // The heap settled before the measure, in every round alike: the setup (100,000 expectations, tens of MB made anew
  // each round) otherwise leaves its collection to the measured second, a cost of the setup, not of sending with them waiting.
  settleHeap();
  let n = 0;
  const rate = await keepBusy(async () => {
    const i = n++;
    const r = await client.send({ to: `139${String(i).padStart(8, '0')}`, payload: `Server room B: temperature 36C (${i})`, registeredDelivery: true });
    if (!r.ok) throw new Error(`send failed: ${r.results[0].code}`);
  }, SECONDS * 1000);
  await client.close();
  await sim.stop();
  if (!reports) throw new Error('no report came back');
  return rate;
}

module.exports = async function run() {
  // Five rounds: one round's rate swings by a fifth on a 2-core machine, the median of five much less.
  const r = await alternate({ none: () => throughput(0), outstanding: () => throughput(OUTSTANDING), atBound: () => throughput(OUTSTANDING, OUTSTANDING) }, QUICK ? 1 : 5);
  printTable('CmppClient.send with reports, with report expectations already outstanding (memory store, messages per second)', [
    { name: `${OUTSTANDING.toLocaleString('en-US')} outstanding (bound ${(2 * OUTSTANDING).toLocaleString('en-US')})`, ours: r.outstanding, peer: r.none, peerName: 'none outstanding' },
    { name: `${OUTSTANDING.toLocaleString('en-US')} outstanding at the bound: each drops the oldest`, ours: r.atBound, peer: r.none, peerName: 'none outstanding' },
  ]);
  console.log(verdict(r.outstanding / r.none, 0.95, 'cost flat in what is outstanding'));
};
