'use strict';
// The policy's cost on the send path: CmppClient.send with delivery reports
// and the SQLite store, with every rule of an sms-policy on (a limit per
// number, duplicates, quiet hours outside their window, STOP words; its
// state in a SQLite file; with each message's history, the default, and without)
// and with none, in alternating rounds of one run. The policy hears the reports.
// Each message goes to a number of its own, so every one is checked and sent.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cmpp, policy, store } = require('../dist/src/internal');
const testing = require('../dist/src/testing');
const { alternate, keepBusy, printTable, QUICK, verdict } = require('./harness');

const SECONDS = QUICK ? 0.2 : 1.5;

async function throughput(dir, withPolicy, round, history = true) {
  const sim = new testing.IsmgSimulator({ lean: true, reportDelayMs: 0 });
  const port = await sim.start();
  const s = new store.SqliteStore({ file: path.join(dir, `client-${withPolicy}-${round}.sqlite`) });
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: 16, maxQueue: 1e6, store: s });
  let reports = 0;
  client.on('report', () => reports++);
  await client.start();
  let p;
  if (withPolicy) {
    // Quiet hours that never hold a message in the bench: one minute, twelve hours from now.
    const at = new Date(Date.now() + 12 * 3600e3);
    const hhmm = (d) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    p = new policy.Policy({
      limit: { count: 5, windowMs: 3600e3 },
      duplicateWindowMs: 600e3,
      quietHours: { from: hhmm(at), to: hhmm(new Date(at.getTime() + 60e3)), timeZone: 'UTC' },
      history: history ? undefined : false,
      store: new policy.SqlitePolicyStore({ file: path.join(dir, `policy-${round}.sqlite`) }),
    });
    p.attach('c', policy.policySender('cmpp', 'cmpp', (r) => client.send(r)));
    // As a connection that names the policy does: its reports go to the message's history.
    client.on('report', (r) => p.reported(r));
  }
  let n = 0;
  const rate = await keepBusy(async () => {
    const i = n++;
    const request = { to: `139${String(i).padStart(8, '0')}`, payload: `Server room B: temperature 36C, check it (${i})`, registeredDelivery: true, correlation: { n: i } };
    const r = await (p ? p.send('c', request) : client.send(request));
    if (!r.ok) throw new Error(`send failed: ${r.results[0].code} ${r.results[0].description}`);
  }, SECONDS * 750);
  await client.close();
  await p?.close();
  await s.close();
  await sim.stop();
  if (reports === 0) throw new Error('no report came back: the bench did not exercise the store');
  return rate;
}

module.exports = async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-bench-policy-'));
  let round = 0;
  try {
    const r = await alternate({ none: () => throughput(dir, false, round++), all: () => throughput(dir, true, round++), noHistory: () => throughput(dir, true, round++, false) });
    printTable('The policy on the send path (CmppClient.send with reports, SQLite store, messages per second)', [
      { name: 'every rule on and history (the default; SQLite)', ours: r.all, peer: r.none, peerName: 'no policy' },
      { name: 'every rule on, no history (SQLite)', ours: r.noHistory, peer: r.none, peerName: 'no policy' },
    ]);
    console.log(verdict(r.all / r.none, 0.9, 'the policy'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
