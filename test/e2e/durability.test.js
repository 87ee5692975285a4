'use strict';
// Durability the hard way: a real Node-RED process with this package and a
// flow that writes every outcome and every delivery report to files; 1,000
// messages queued behind a gateway that is not there; then `kill -9` (or a
// full deploy), the gateway back, Node-RED started again on the same user
// directory. Every message must end with exactly one outcome, and every
// report that comes afterwards must be matched with its correlation.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { NodeRedProcess, freePort } = require('../support/node-red-process');
const { until } = require('../support/wait');

const COUNT = 1000;

function lines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function toFile(id, file, func, z = 'tab') {
  return [
    { id: `${id}-fmt`, z, type: 'function', func, outputs: 1, wires: [[`${id}-file`]] },
    { id: `${id}-file`, z, type: 'file', filename: file, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [[]] },
  ];
}

/** The flow: POST /send?n=&from= queues n messages; outcomes, failures and reports go to files. */
function durableFlow(dir, cmppPort, connection = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'durability' },
    {
      id: 'conn', type: 'cmpp-connection', name: 'durable', configVersion: 2, host: '127.0.0.1', port: cmppPort, spId: '901234', version: '3.0',
      srcId: '1069001', reconnectMax: 1, queueSize: 5000, queueTimeout: 120, store: 'sqlite', ...connection, credentials: { sharedSecret: 'secret' },
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/send', method: 'post', wires: [['fan']] },
    {
      id: 'fan', z: 'tab', type: 'function', outputs: 2, wires: [['submit'], ['out']],
      func: 'const n = Number(msg.req.query.n); const from = Number(msg.req.query.from || 0);\n'
        + "for (let i = 0; i < n; i++) node.send([{ payload: 'alert ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]);\n"
        + "msg.payload = 'queued ' + n; return [null, msg];",
    },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: true, wires: [['results-fmt']] },
    ...toFile('results', path.join(dir, 'results.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation.n, ok: msg.payload.ok, carried: msg.carriedOver === true }); return msg;'),
    { id: 'catch', z: 'tab', type: 'catch', scope: ['submit'], uncaught: false, wires: [['failed-fmt']] },
    ...toFile('failed', path.join(dir, 'results.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, ok: false, error: msg.error.message }); return msg;'),
    { id: 'receive', z: 'tab', type: 'cmpp-deliver-in', configVersion: 2, connection: 'conn', wires: [[], ['reports-fmt']] },
    ...toFile('reports', path.join(dir, 'reports.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, matched: msg.payload.matched, status: msg.payload.status }); return msg;'),
  ];
}

/** Messages the store holds, read from its file as Node-RED runs (WAL lets a reader in). */
function storedOutbox(userDir) {
  const dir = path.join(userDir, 'smsflow');
  if (!fs.existsSync(dir)) return 0;
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.sqlite'));
  if (!file) return 0;
  const Database = require('better-sqlite3');
  const db = new Database(path.join(dir, file), { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) AS n FROM outbox').get().n;
  } finally {
    db.close();
  }
}

function assertEveryMessageOnce(results, label) {
  const byN = new Map();
  for (const r of results) byN.set(r.n, (byN.get(r.n) ?? 0) + 1);
  const missing = Array.from({ length: COUNT }, (_, i) => i).filter((n) => !byN.has(n));
  const doubled = [...byN].filter(([, c]) => c > 1).map(([n]) => n);
  assert.deepEqual({ missing: missing.length, doubled: doubled.length }, { missing: 0, doubled: 0 }, `${label}: missing ${missing.slice(0, 5)}, doubled ${doubled.slice(0, 5)}`);
}

describe('durability: a real Node-RED process, its store on disk', function () {
  this.timeout(120000);
  let red;
  let sim;
  let dir;
  afterEach(async () => {
    await red?.dispose();
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    red = undefined;
    sim = undefined;
  });

  for (const how of ['kill -9', 'full deploy']) {
    it(`${how} with ${COUNT} messages queued behind an absent gateway: each gets one outcome afterwards, every report matched`, async () => {
      red = await NodeRedProcess.create();
      dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-out-'));
      const cmppPort = await freePort();
      const flow = durableFlow(dir, cmppPort);
      await red.start();
      await red.deploy(flow);
      assert.equal(await red.request('POST', `/send?n=${COUNT}&from=0`, {}), `queued ${COUNT}`);
      await until(() => storedOutbox(red.userDir) === COUNT, { timeoutMs: 15000, what: `${COUNT} messages in the store file` });
      assert.deepEqual(lines(path.join(dir, 'results.jsonl')), [], 'no outcome yet: the gateway is not there');

      if (how === 'kill -9') {
        await red.kill('SIGKILL');
      } else {
        await red.deploy(flow);
      }
      sim = new testing.IsmgSimulator({ port: cmppPort, reportDelayMs: 20, lean: false });
      await sim.start();
      if (how === 'kill -9') await red.start();

      await until(() => lines(path.join(dir, 'results.jsonl')).length >= COUNT, { timeoutMs: 60000, what: `${COUNT} outcomes` });
      const results = lines(path.join(dir, 'results.jsonl'));
      assertEveryMessageOnce(results, 'outcomes');
      assert.ok(results.every((r) => r.ok && r.carried), `every outcome ok and flagged carried over: ${JSON.stringify(results.find((r) => !r.ok || !r.carried))}`);
      assert.equal(sim.record.submits.length, COUNT, 'each sent once: nothing had left before');

      await until(() => lines(path.join(dir, 'reports.jsonl')).length >= COUNT, { timeoutMs: 60000, what: `${COUNT} reports` });
      const reports = lines(path.join(dir, 'reports.jsonl'));
      assert.ok(reports.every((r) => r.matched && r.status === 'delivered'), 'every report matched');
      assertEveryMessageOnce(reports, 'reports');
    });
  }
});
