'use strict';
// `npm start` as a newcomer runs it: the simulators and Node-RED start, the
// demo flow is deployed, and pressing its Inject buttons shows sends, a
// reply from the phone and delivery reports in the Debug sidebar.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const { startDemo } = require('../support/demo');
const { until } = require('../support/wait');

/** the demo's ports, each free */
let PORT;
let PHONES;

describe('npm start: the demo', function () {
  this.timeout(60000);
  let child;
  let userDir;
  let output = '';

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-start-'));
    const demo = await startDemo(userDir);
    child = demo.child;
    PORT = demo.ports.editor;
    PHONES = demo.ports.phones;
    output = demo.output;
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await until(() => child.exitCode !== null, { timeoutMs: 15000, what: 'npm start to stop on Ctrl-C' });
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('prints the editor\'s URL and what to click', () => {
    assert.match(output, new RegExp(`Open http://127.0.0.1:${PORT}/ and press the button on the left of an Inject node`));
    assert.match(output, /CMPP ISMG {2}127.0.0.1:\d+/);
  });

  it('keeps the demo connections\' state in SQLite files under the user directory (the embedded default)', () => {
    const files = fs.readdirSync(path.join(userDir, 'smsflow')).filter((f) => f.endsWith('.sqlite')).sort();
    assert.deepEqual(files.map((f) => f.split('-')[0]), ['cmpp', 'imsp', 'modem', 'policy', 'smpp'], files.join(', '));
  });

  it('sends through each channel and shows the reply and the delivery reports', async () => {
    const seen = new Map();
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/comms`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      for (const m of JSON.parse(data)) if (m.topic === 'debug') seen.set(m.data.name, m.data.msg);
    });
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    for (const id of ['demo-inject-long', 'demo-cmpp-inject', 'demo-imsp-inject', 'demo-modem-inject', 'demo-smpp-inject', 'demo-storm-inject']) {
      const status = await new Promise((resolve, reject) => http.request({ host: '127.0.0.1', port: PORT, path: `/inject/${id}`, method: 'POST' }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject).end());
      assert.equal(status, 200, `pressing ${id}`);
    }
    const expected = ['parts', 'CMPP send result', 'IMSP send result', 'CMPP: phone replied', 'CMPP: delivery report', 'IMSP: delivery report',
      'modem send result', 'modem: phone replied', 'modem: delivery report', 'SMPP send result', 'SMPP: phone replied', 'SMPP: delivery receipt',
      'storm: sent', 'storm: held back (err.code)', 'storm: what became of it'];
    await until(() => expected.every((n) => seen.has(n)), { timeoutMs: 20000, what: `the debug messages; seen: ${[...seen.keys()]}` });
    ws.close();
    assert.equal(JSON.parse(seen.get('CMPP send result')).ok, true);
    assert.equal(JSON.parse(seen.get('IMSP send result')).parts, 2);
    assert.equal(JSON.parse(seen.get('CMPP: phone replied')).payload, '收到，请问今天几点前能处理？');
    const report = JSON.parse(seen.get('CMPP: delivery report'));
    assert.deepEqual([report.payload.status, report.correlation], ['delivered', { alarm: 'room-b' }]);
    assert.equal(JSON.parse(seen.get('IMSP: delivery report')).payload.status, 'delivered');
    assert.equal(JSON.parse(seen.get('modem send result')).parts, 2);
    assert.equal(JSON.parse(seen.get('modem: phone replied')).payload, 'OK, on my way.');
    assert.deepEqual(JSON.parse(seen.get('modem: delivery report')).payload.parts, { total: 2, delivered: 2, failed: 0 });
    assert.equal(JSON.parse(seen.get('SMPP send result')).ok, true);
    assert.equal(JSON.parse(seen.get('SMPP: phone replied')).payload, 'OK, received!');
    // 20 copies of one alert: one sent, the copies held back by the policy.
    assert.equal(JSON.parse(seen.get('storm: sent')).ok, true);
    assert.equal(seen.get('storm: held back (err.code)'), 'SMS_DUPLICATE');
    // sms status reads the alert that went from the policy's history, by the send result's key.
    const story = JSON.parse(seen.get('storm: what became of it'));
    assert.equal(story.key, JSON.parse(seen.get('storm: sent')).key);
    assert.match(story.state, /^(sent|delivered)$/);
    const receipt = JSON.parse(seen.get('SMPP: delivery receipt'));
    assert.deepEqual([receipt.payload.status, receipt.correlation], ['delivered', { alarm: 'pump-3' }]);
  });

  it('serves a page with each simulated phone\'s inbox, long messages joined', async () => {
    const get = (p) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port: PHONES, path: p }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject));
    assert.match(output, new RegExp(`Phones +http://127.0.0.1:${PHONES}/`));
    const entries = JSON.parse(await get('/inboxes.json'));
    const byChannel = (c) => entries.find((e) => e.channel === c);
    // The CMPP phone also has the storm's one alert: the long message is the one that begins with its tag.
    const long = entries.find((e) => e.channel === 'cmpp' && e.text.startsWith('【机房告警】'));
    assert.ok(long, `the long CMPP message among ${JSON.stringify(entries.map((e) => [e.channel, e.text.slice(0, 12)]))}`);
    assert.deepEqual([long.phone, long.parts, long.incomplete], ['13800138000', 2, false]);
    assert.equal(byChannel('imsp').phone, '0912345678');
    assert.equal(byChannel('modem').from, '+886911111111');
    assert.deepEqual([byChannel('smpp').phone, byChannel('smpp').from], ['447700900123', 'ALERTS']);
    const page = await get('/');
    assert.match(page, /Simulated phones: what they received/);
    assert.match(page, /13800138000/);
  });

  it('stops everything on Ctrl-C', async () => {
    child.kill('SIGINT');
    await until(() => child.exitCode !== null, { timeoutMs: 15000, what: 'npm start to stop' });
    assert.equal(child.exitCode, 0);
  });
});
