'use strict';
// What a user without a compiler gets: the packed package installed into a
// fresh Node-RED user directory with `npm install --ignore-scripts` (nothing
// built: better-sqlite3 is there but cannot load), Node-RED 4.1 on this Node
// (22, run by `npm run test:node22`) keeps its CMPP connection's messages in
// a SQLite file through node:sqlite: 20 sent; the gateway goes down, 30 are
// queued, kill -9; after a restart the 30 are sent, each once.
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { freePort } = require('../support/node-red-process');
const { until } = require('../support/wait');

const root = path.join(__dirname, '..', '..');
const RED = require.resolve('node-red-4/red.js', { paths: [root] });

function request(port, method, p, body) {
  return new Promise((resolve, reject) => {
    const q = http.request({ host: '127.0.0.1', port, path: p, method, headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' } }, (r) => {
      let t = '';
      r.on('data', (c) => (t += c));
      r.on('end', () => (r.statusCode < 300 ? resolve(t) : reject(new Error(`${method} ${p}: HTTP ${r.statusCode} ${t}`))));
    });
    q.on('error', reject);
    q.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe(`a packed install without a native build, on Node ${process.versions.node}`, function () {
  this.timeout(240000);
  let dir;
  let red;
  let sim;
  let log = '';
  after(async () => {
    red?.kill('SIGKILL');
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends through node:sqlite, and after kill -9 sends each queued message once', async () => {
    assert.ok(Number(process.versions.node.split('.')[0]) >= 22, 'run by npm run test:node22');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-packed-'));
    const user = path.join(dir, 'user');
    fs.mkdirSync(user);
    const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
    fs.writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'fresh-user-dir', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', path.join(dir, tgz)], { cwd: user, stdio: 'ignore' });
    assert.ok(!fs.existsSync(path.join(user, 'node_modules', 'better-sqlite3', 'build')), 'nothing was built');
    const results = path.join(user, 'results.jsonl');
    const lines = () => (fs.existsSync(results) ? fs.readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    fs.writeFileSync(path.join(user, 'settings.js'), "module.exports = { flowFile: 'flows.json', credentialSecret: false, editorTheme: { tours: false }, functionGlobalContext: { fs: require('fs') } };\n");
    const gateway = await freePort();
    const port = await freePort();
    const start = async () => {
      log = '';
      red = spawn(process.execPath, [RED, '--userDir', user, '--port', String(port), '--settings', path.join(user, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
      red.stdout.on('data', (c) => (log += c));
      red.stderr.on('data', (c) => (log += c));
      await until(() => /Server now running/.test(log), { timeoutMs: 60000, what: `Node-RED to start; it said:\n${log}` });
    };
    sim = new testing.IsmgSimulator({ port: gateway });
    await sim.start();
    await start();
    await request(port, 'POST', '/flows', [
      { id: 't', type: 'tab', label: 'packed' },
      { id: 'c', type: 'cmpp-connection', name: 'ISMG', configVersion: 2, host: '127.0.0.1', port: gateway, spId: '901234', version: '3.0', srcId: '1069001', reconnectMax: 1, queueSize: 5000, queueTimeout: 600, store: 'sqlite', credentials: { sharedSecret: 'secret' } },
      { id: 'in', z: 't', type: 'http in', url: '/send', method: 'post', wires: [['fan']] },
      { id: 'fan', z: 't', type: 'function', outputs: 2, wires: [['s'], ['out']], func: "const n = +msg.req.query.n, from = +msg.req.query.from; for (let i = 0; i < n; i++) node.send([{ payload: 'reading ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]); msg.payload = 'ok'; return [null, msg];" },
      { id: 'out', z: 't', type: 'http response', wires: [] },
      { id: 's', z: 't', type: 'cmpp-submit', configVersion: 2, connection: 'c', to: '', encoding: 'auto', registeredDelivery: false, wires: [['w']] },
      { id: 'w', z: 't', type: 'function', outputs: 0, func: `global.get('fs').appendFileSync(${JSON.stringify(results)}, JSON.stringify({ n: msg.correlation.n, ok: msg.payload.ok, carried: msg.carriedOver === true }) + '\\n'); return null;` },
    ]);
    assert.deepEqual(JSON.parse(await request(port, 'GET', '/smsflow/sqlite-driver')).driver, 'node:sqlite');
    await until(() => sim.sessions >= 1, { timeoutMs: 15000, what: 'the login' });
    await request(port, 'POST', '/send?n=20&from=0', {});
    await until(() => lines().length === 20, { timeoutMs: 30000, what: '20 outcomes' });
    assert.equal(lines().filter((l) => l.ok).length, 20);

    await sim.stop();
    await request(port, 'POST', '/send?n=30&from=20', {});
    // The 30 are in the file once they have waited a commit interval.
    await new Promise((r) => setTimeout(r, 1000));
    red.kill('SIGKILL');
    await new Promise((r) => red.once('exit', r));
    assert.equal(lines().length, 20, 'none of the 30 had an outcome before the kill');

    sim = new testing.IsmgSimulator({ port: gateway });
    await sim.start();
    const phones = [];
    sim.on('phone', (m) => phones.push(m.text));
    await start();
    await until(() => lines().length === 50, { timeoutMs: 60000, what: `50 outcomes; Node-RED said:\n${log.slice(-2000)}` });
    const carried = lines().slice(20);
    assert.equal(carried.filter((l) => l.ok && l.carried).length, 30);
    assert.equal(new Set(lines().map((l) => l.n)).size, 50, 'each message once');
    await until(() => phones.length === 30, { what: 'the 30 at the phone' });
    assert.deepEqual(phones.sort(), Array.from({ length: 30 }, (_, i) => `reading ${20 + i}`).sort());
  });
});
