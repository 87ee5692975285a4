'use strict';
// The flow of the durability tests: POST /send?n=&from= queues n messages
// through cmpp send; every outcome, failure and delivery report is written
// to a file, one JSON line each, synchronously by the function node that
// gets it, so that it is counted even if Node-RED is killed a moment later.
const { sqliteDriver } = require('../../dist/src/store/sqlite-driver');
const fs = require('node:fs');
const path = require('node:path');

function lines(file) {
  if (!fs.existsSync(file)) return [];
  // Node-RED may be writing the last line as the test reads: only whole lines count.
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean).map((l) => JSON.parse(l));
}

/** A function node that makes `msg.payload` a line with `func` and appends it to `file` before anything else runs. */
function toFile(id, file, func, z = 'tab') {
  const write = `global.get('fs').appendFileSync(${JSON.stringify(file)}, msg.payload + '\\n'); return null;`;
  return [{ id: `${id}-fmt`, z, type: 'function', func: func.replace(/return msg;\s*$/, write), outputs: 1, wires: [[]] }];
}

/** The connection, send and receive node types of each protocol, and its connection's settings. */
const PROTOCOLS = {
  cmpp: {
    send: 'cmpp-submit',
    receive: 'cmpp-deliver-in',
    connection: (port) => ({
      type: 'cmpp-connection', port, spId: '901234', version: '3.0', srcId: '1069001', credentials: { sharedSecret: 'secret' },
    }),
  },
  smpp: {
    send: 'smpp-send',
    receive: 'smpp-receive',
    connection: (port) => ({ type: 'smpp-connection', port, systemId: 'smppclient1', sourceAddr: 'ALERTS', credentials: { password: 'password' } }),
  },
};

/** The flow: POST /send?n=&from= queues n messages; outcomes, failures and reports go to files. */
function durableFlow(dir, port, connection = {}, protocol = 'cmpp') {
  const kind = PROTOCOLS[protocol];
  return [
    { id: 'tab', type: 'tab', label: 'durability' },
    {
      id: 'conn', name: 'durable', configVersion: 2, host: '127.0.0.1', reconnectMax: 1, queueSize: 5000, queueTimeout: 120, store: 'sqlite',
      ...kind.connection(port), ...connection,
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/send', method: 'post', wires: [['fan']] },
    {
      id: 'fan', z: 'tab', type: 'function', outputs: 2, wires: [['submit'], ['out']],
      func: 'const n = Number(msg.req.query.n); const from = Number(msg.req.query.from || 0);\n'
        + "for (let i = 0; i < n; i++) node.send([{ payload: 'alert ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]);\n"
        + "msg.payload = 'queued ' + n; return [null, msg];",
    },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
    { id: 'submit', z: 'tab', type: kind.send, configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: true, wires: [['results-fmt']] },
    ...toFile('results', path.join(dir, 'results.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation.n, ok: msg.payload.ok, carried: msg.carriedOver === true }); return msg;'),
    { id: 'catcher', z: 'tab', type: 'catch', scope: ['submit'], uncaught: false, wires: [['failed-fmt']] },
    ...toFile('failed', path.join(dir, 'results.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, ok: false, error: msg.error.message }); return msg;'),
    { id: 'receive', z: 'tab', type: kind.receive, configVersion: 2, connection: 'conn', wires: [[], ['reports-fmt']] },
    ...toFile('reports', path.join(dir, 'reports.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, matched: msg.payload.matched, status: msg.payload.status }); return msg;'),
  ];
}

/** Messages the outbox of a store file holds (the first whose name starts with `prefix`), read as Node-RED runs (WAL lets a reader in). */
function storedOutbox(userDir, prefix = '') {
  const dir = path.join(userDir, 'smsflow');
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.sqlite')) : undefined;
  if (!file) return 0;
  const db = sqliteDriver().open(path.join(dir, file), { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) AS n FROM outbox').get().n;
  } finally {
    db.close();
  }
}

module.exports = { durableFlow, lines, toFile, storedOutbox };
