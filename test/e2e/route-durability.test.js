'use strict';
// A route across kill -9: a real Node-RED process whose sms send goes by a
// route over a CMPP connection and an SMPP connection, both with the SQLite
// store. With both gateways down the messages wait in the first channel's
// store; Node-RED is killed; the SMSC comes back, Node-RED starts again on
// the same user directory, the CMPP queue wait ends and the route moves
// each message to SMPP. Every message one outcome, each SMS at a phone once.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { NodeRedProcess, freePort } = require('../support/node-red-process');
const { until } = require('../support/wait');
const { lines, toFile, storedOutbox } = require('../support/durable-flow');

function routeFlow(dir, ismgPort, smscPort) {
  const results = path.join(dir, 'results.jsonl');
  return [
    { id: 'tab', type: 'tab', label: 'route durability' },
    { id: 'cmpp', type: 'cmpp-connection', name: 'ISMG', configVersion: 2, host: '127.0.0.1', port: ismgPort, spId: '901234', version: '3.0', srcId: '1069001', reconnectMax: 1, queueSize: 5000, queueTimeout: 3, store: 'sqlite', credentials: { sharedSecret: 'secret' } },
    { id: 'smpp', type: 'smpp-connection', name: 'SMSC', configVersion: 2, host: '127.0.0.1', port: smscPort, systemId: 'smppclient1', sourceAddr: 'ALERTS', reconnectMax: 1, queueSize: 5000, queueTimeout: 60, store: 'sqlite', credentials: { password: 'password' } },
    { id: 'route', type: 'sms-route', name: 'alerts', configVersion: 2, rules: [{ prefixes: '', strategy: 'failover', channels: [{ channel: 'cmpp' }, { channel: 'smpp' }] }], failOverOn: '', failOverUncertain: false, revert: 60 },
    { id: 'in', z: 'tab', type: 'http in', url: '/send', method: 'post', wires: [['fan']] },
    {
      id: 'fan', z: 'tab', type: 'function', outputs: 2, wires: [['send'], ['out']],
      func: 'const n = Number(msg.req.query.n); const from = Number(msg.req.query.from || 0);\n'
        + "for (let i = 0; i < n; i++) node.send([{ payload: 'alert ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]);\n"
        + "msg.payload = 'queued ' + n; return [null, msg];",
    },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
    { id: 'send', z: 'tab', type: 'sms-send', configVersion: 2, route: 'route', to: '', encoding: 'auto', registeredDelivery: true, wires: [['results-fmt']] },
    ...toFile('results', results, 'msg.payload = JSON.stringify({ n: msg.correlation.n, ok: msg.payload.ok, carried: msg.carriedOver === true, via: msg.payload.via, tries: msg.payload.tries.map((t) => t.channel + ":" + t.code) }); return msg;'),
    { id: 'catcher', z: 'tab', type: 'catch', scope: ['send'], uncaught: false, wires: [['failed-fmt']] },
    ...toFile('failed', results, 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, ok: false, error: msg.error.message }); return msg;'),
    { id: 'receive', z: 'tab', type: 'sms-receive', configVersion: 2, route: 'route', wires: [[], ['reports-fmt']] },
    ...toFile('reports', path.join(dir, 'reports.jsonl'), 'msg.payload = JSON.stringify({ n: msg.correlation && msg.correlation.n, status: msg.payload.status }); return msg;'),
  ];
}

describe('sms route across kill -9: a real Node-RED process', function () {
  this.timeout(120000);
  let red;
  let ismg;
  let smsc;
  let dir;
  afterEach(async () => {
    await red?.dispose();
    await ismg?.stop();
    await smsc?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('messages waiting in CMPP at the kill move to SMPP after the restart: each one outcome, each at the phone once, every report back', async () => {
    red = await NodeRedProcess.create();
    dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-route-'));
    const [ismgPort, smscPort] = [await freePort(), await freePort()];
    ismg = new testing.IsmgSimulator({ port: ismgPort, reportDelayMs: 10 });
    smsc = new testing.SmscSimulator({ port: smscPort, reportDelayMs: 10 });
    await ismg.start();
    await smsc.start();
    await red.start();
    await red.deploy(routeFlow(dir, ismgPort, smscPort));
    const results = () => lines(path.join(dir, 'results.jsonl'));
    const reports = () => lines(path.join(dir, 'reports.jsonl'));

    // Both up: the first 100 by CMPP, their reports back.
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { timeoutMs: 15000, what: 'both logged in' });
    await red.request('POST', '/send?n=100&from=0', {});
    await until(() => results().length === 100 && reports().length === 100, { timeoutMs: 20000, what: '100 outcomes and reports' });

    // Both down: 300 wait in the first channel's store; then kill -9.
    await ismg.stop();
    await smsc.stop();
    await red.request('POST', '/send?n=300&from=100', {});
    await until(() => storedOutbox(red.userDir, 'cmpp-') === 300, { timeoutMs: 15000, what: '300 messages in the CMPP store' });
    assert.equal(results().length, 100, 'no outcome for the 300 yet');
    await red.kill('SIGKILL');

    // The SMSC back, the gateway still down: Node-RED starts again on the same user directory.
    await smsc.start();
    await red.start();
    await until(() => results().length >= 400, { timeoutMs: 60000, what: '400 outcomes' });
    await until(() => reports().length >= 400, { timeoutMs: 30000, what: '400 reports' });

    const all = results();
    const byN = new Map();
    for (const r of all) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
    assert.deepEqual([byN.size, all.length], [400, 400], 'each message exactly one outcome');
    assert.deepEqual(all.filter((r) => !r.ok), [], 'every message sent');
    for (let n = 0; n < 100; n++) assert.deepEqual([byN.get(n)[0].via, byN.get(n)[0].carried], ['ISMG', false]);
    for (let n = 100; n < 400; n++) assert.deepEqual(byN.get(n)[0], { n, ok: true, carried: true, via: 'SMSC', tries: ['ISMG:CMPP_QUEUE_TIMEOUT', 'SMSC:0'] });

    const atPhone = [...(ismg.inboxes.get('13800138000') ?? []), ...(smsc.inboxes.get('13800138000') ?? [])].map((m) => m.text);
    assert.equal(atPhone.length, 400, 'no SMS twice');
    assert.equal(new Set(atPhone).size, 400);
    assert.deepEqual(new Set(reports().map((r) => r.n)).size, 400, 'a report for each, matched with its msg, whichever channel carried it');
  });
});
