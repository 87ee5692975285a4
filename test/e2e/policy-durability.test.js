'use strict';
// The policy across kill -9, and shared by two Node-RED processes: a real
// Node-RED whose cmpp send goes through an sms-policy (limit 5 an hour,
// the same text once in 10 minutes). A flapping alert of 500 copies is
// sent once; after a kill -9 and a restart on the same user directory the
// window is remembered (500 more copies, none sent; the limit goes on
// counting); two processes on one redis-server send an alert given to
// both once in all.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { NodeRedProcess, freePort } = require('../support/node-red-process');
const { until } = require('../support/wait');
const { lines, toFile } = require('../support/durable-flow');
const { hasRedis, startRedis } = require('../support/redis');
const { needTool } = require('../support/tools');

function policyFlow(dir, ismgPort, store = { store: 'sqlite' }) {
  const results = path.join(dir, 'results.jsonl');
  return [
    { id: 'tab', type: 'tab', label: 'policy durability' },
    { id: 'policy', type: 'sms-policy', name: 'alerts', limitCount: 5, limitWindow: 60, limitUnit: 'messages', limitOver: 'refuse', duplicateWindow: 10, quietFrom: '', quietTo: '', keywords: true, ...store },
    { id: 'cmpp', type: 'cmpp-connection', name: 'ISMG', configVersion: 2, host: '127.0.0.1', port: ismgPort, spId: '901234', version: '3.0', srcId: '1069001', reconnectMax: 1, queueSize: 5000, store: 'sqlite', policy: 'policy', credentials: { sharedSecret: 'secret' } },
    { id: 'in', z: 'tab', type: 'http in', url: '/send', method: 'post', wires: [['fan']] },
    {
      id: 'fan', z: 'tab', type: 'function', outputs: 2, wires: [['send'], ['out']],
      func: 'const n = Number(msg.req.query.n); const from = Number(msg.req.query.from || 0); const text = msg.req.query.text;\n'
        + "for (let i = 0; i < n; i++) node.send([{ payload: text || 'reading ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]);\n"
        + "msg.payload = 'queued ' + n; return [null, msg];",
    },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
    // GET /status?n=N: what sms status says of the message sent with correlation { n: N }.
    { id: 'status-in', z: 'tab', type: 'http in', url: '/status', method: 'get', wires: [['status-ask']] },
    { id: 'status-ask', z: 'tab', type: 'function', outputs: 1, func: 'msg.correlation = { n: Number(msg.req.query.n) }; return msg;', wires: [['status']] },
    { id: 'status', z: 'tab', type: 'sms-status', policy: 'policy', wires: [['status-out']] },
    { id: 'status-out', z: 'tab', type: 'http response', wires: [] },
    { id: 'status-catch', z: 'tab', type: 'catch', scope: ['status'], uncaught: false, wires: [['status-err']] },
    { id: 'status-err', z: 'tab', type: 'function', outputs: 1, func: 'msg.payload = { error: msg.error.code }; return msg;', wires: [['status-out']] },
    { id: 'send', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'cmpp', to: '', encoding: 'auto', registeredDelivery: false, wires: [['results-fmt']] },
    ...toFile('results', results, 'msg.payload = JSON.stringify({ n: msg.correlation.n, ok: msg.payload.ok }); return msg;'),
    { id: 'catcher', z: 'tab', type: 'catch', scope: ['send'], uncaught: false, wires: [['failed-fmt']] },
    ...toFile('failed', results, 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, ok: false, code: msg.error.code, error: msg.error.message }); return msg;'),
  ];
}

const alert = (n, from) => `/send?n=${n}&from=${from}&text=${encodeURIComponent('Boiler 3: temperature high')}`;

describe('sms-policy in a real Node-RED process', function () {
  this.timeout(120000);
  const reds = [];
  let ismg;
  let dir;
  let redis;
  afterEach(async () => {
    while (reds.length) await reds.pop().dispose();
    await ismg?.stop();
    await redis?.stop();
    redis = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('500 copies of an alert: 1 sent; kill -9 and restart: the window is remembered, 500 more sent none, and the limit goes on counting', async () => {
    const red = await NodeRedProcess.create();
    reds.push(red);
    dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-policy-'));
    const ismgPort = await freePort();
    ismg = new testing.IsmgSimulator({ port: ismgPort });
    await ismg.start();
    await red.start();
    await red.deploy(policyFlow(dir, ismgPort));
    const results = () => lines(path.join(dir, 'results.jsonl'));
    await until(() => ismg.sessions === 1, { timeoutMs: 15000, what: 'logged in' });

    await red.request('POST', alert(500, 0), {});
    await until(() => results().length === 500, { timeoutMs: 30000, what: '500 outcomes' });
    const first = results();
    assert.deepEqual(first.filter((r) => r.ok).map((r) => r.n), [0]);
    assert.deepEqual([...new Set(first.filter((r) => !r.ok).map((r) => r.code))], ['SMS_DUPLICATE']);
    assert.match(first[1].error, /^CMPP send to 13800138000, part 1, failed: not sent: the same text went to 13800138000 at /);
    assert.equal(ismg.record.submits.length, 1);
    const status = async (n) => JSON.parse(await red.request('GET', `/status?n=${n}`));
    const story = async () => [await status(0), await status(1), await status(499)].map((s) => [s.state, s.recipients[0].code ?? 0, s.recipients[0].parts.map((p) => p.id)]);
    const before = await story();
    assert.deepEqual(before[0].slice(0, 2), ['sent', 0]);
    assert.match(before[0][2][0], /^\d+$/, 'the Msg_Id the gateway gave');
    assert.deepEqual(before.slice(1).map((x) => x[0] + ' ' + x[1]), ['suppressed SMS_DUPLICATE', 'suppressed SMS_DUPLICATE']);

    await red.kill('SIGKILL');
    await red.start();
    await until(() => ismg.sessions >= 1, { timeoutMs: 15000, what: 'logged in again' });
    assert.deepEqual(await story(), before, 'sms status says the same after kill -9 and a restart');
    assert.deepEqual(await status(123456), { error: 'SMS_NOT_FOUND' });
    await red.request('POST', alert(500, 500), {});
    await until(() => results().length === 1000, { timeoutMs: 30000, what: '1000 outcomes' });
    const second = results().slice(500);
    assert.deepEqual([...new Set(second.map((r) => r.code))], ['SMS_DUPLICATE'], 'none of the 500 after the restart sent');

    // Ten other texts: the limit counted the one before the kill, so 4 go and 6 wait for the hour.
    await red.request('POST', '/send?n=10&from=1000', {});
    await until(() => results().length === 1010, { timeoutMs: 30000, what: '1010 outcomes' });
    const third = results().slice(1000).sort((x, y) => x.n - y.n);
    assert.deepEqual(third.map((r) => r.code ?? 0), [0, 0, 0, 0, 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED', 'SMS_RATE_LIMITED']);
    assert.equal(ismg.record.submits.length, 5, 'five SUBMITs on the wire in all');
  });

  it('two Node-RED processes with the policy in one redis-server: 250 copies each, 1 sent in all', async function () {
    needTool(this, hasRedis, 'redis-server');
    redis = await startRedis();
    const a = await NodeRedProcess.create();
    const b = await NodeRedProcess.create();
    reds.push(a, b);
    dir = fs.mkdtempSync(path.join(a.userDir, '..', 'smsflow-policy-'));
    const ismgPort = await freePort();
    ismg = new testing.IsmgSimulator({ port: ismgPort });
    await ismg.start();
    await Promise.all([a.start(), b.start()]);
    const flow = policyFlow(dir, ismgPort, { store: 'redis', redisUrl: redis.url });
    await Promise.all([a.deploy(flow), b.deploy(flow)]);
    await until(() => ismg.sessions === 2, { timeoutMs: 15000, what: 'both logged in' });
    await Promise.all([a.request('POST', alert(250, 0), {}), b.request('POST', alert(250, 250), {})]);
    const results = () => lines(path.join(dir, 'results.jsonl'));
    await until(() => results().length === 500, { timeoutMs: 30000, what: '500 outcomes' });
    assert.equal(results().filter((r) => r.ok).length, 1);
    assert.deepEqual([...new Set(results().filter((r) => !r.ok).map((r) => r.code))], ['SMS_DUPLICATE']);
    assert.equal(ismg.record.submits.length, 1);
  });
});
