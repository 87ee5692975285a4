'use strict';
// Every flow in examples/ imports into a running Node-RED and deploys with no error.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { exampleOn } = require('../support/examples');
const { helper, runtimeVersion, runtime } = require('../support/node-red');

const root = path.join(__dirname, '..', '..');
const ours = Object.values(require(path.join(root, 'package.json'))['node-red'].nodes).map((file) => require(path.join(root, file)));
const coreDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(require.resolve(`${runtime}/package.json`))] }));
const core = ['common/20-inject.js', 'common/21-debug.js', 'common/90-comment.js', 'common/25-catch.js', 'function/10-function.js', 'function/10-switch.js', 'function/15-change.js', 'function/80-template.js', 'function/89-delay.js']
  .map((file) => require(path.join(coreDir, 'core', file)));
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).sort();

// The IMSP example trusts the simulators' certificate file under the home directory: a home of the tests' own, with it.
const os = require('node:os');
const testing = require('../../dist/src/testing');
const homeBefore = process.env.HOME;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-home-'));
const certificate = () => testing.keptCertificate(path.join(home, '.smsflow', 'imsp-simulator-certificate.json'));

describe(`examples (Node-RED ${runtimeVersion()})`, function () {
  before(() => {
    process.env.HOME = home;
    certificate();
    return helper.startServer();
  });
  after(() => {
    process.env.HOME = homeBefore;
    return helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('shares one config node per simulator, the same in every example that uses it: deployed together they use one connection (a modem has one owner)', () => {
    const seen = new Map();
    for (const file of examples) {
      for (const n of JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'))) {
        if (!['cmpp-connection', 'smpp-connection', 'imsp-account', 'modem-port'].includes(n.type)) continue;
        if (seen.has(n.id)) assert.deepEqual(n, seen.get(n.id), `${n.id} differs in ${file}`);
        seen.set(n.id, n);
      }
    }
    assert.deepEqual([...seen.keys()].sort(), ['smsflow-example-cmpp', 'smsflow-example-imsp', 'smsflow-example-modem', 'smsflow-example-smpp']);
  });

  it('has one flow per use case', () => {
    assert.deepEqual(examples.map((f) => f.replace(/^\d+ /, '').replace(/\.json$/, '')), [
      'Count SMS parts with sms split',
      'Send by IMSP (Chunghwa Telecom)',
      'Send by CMPP with delivery reports',
      'Receive and auto-reply by CMPP',
      'Send and receive with a GSM modem',
      'IoT alert with a rate limit',
      'Send and receive by SMPP',
      'IoT alert without alert storms',
    ]);
  });

  for (const file of examples) {
    it(`deploys "${file}" without errors, with a comment that explains it and no secret in it`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
      assert.ok(flow.some((n) => n.type === 'comment' && n.info.length > 80), 'a comment node explains the example');
      // Only the simulators' published demo values, never anything that looks like a real secret.
      for (const n of flow.filter((x) => x.credentials)) {
        assert.ok(['secret', 'pass1234', 'password'].includes(Object.values(n.credentials)[0]), `${n.id}: only the simulators' demo credentials`);
      }
      const known = new Set(['tab', 'comment', 'inject', 'debug', 'catch', 'switch', 'change', 'template', 'delay', 'function', 'sms-split', 'cmpp-connection', 'cmpp-submit', 'cmpp-deliver-in', 'smpp-connection', 'smpp-send', 'smpp-receive', 'imsp-account', 'imsp-send', 'modem-port', 'modem-pdu', 'sms-policy', 'sms-status', 'sms-route', 'sms-send', 'sms-receive']);
      for (const n of flow) assert.ok(known.has(n.type), `${n.type} is a core node or one of ours`);
      // Imported, it lands in a tab of its own named after it, not in "Flow 1".
      const tabs = flow.filter((n) => n.type === 'tab');
      assert.deepEqual(tabs.map((t) => t.label), [file.replace(/\.json$/, '')]);
      const configTypes = new Set(['cmpp-connection', 'smpp-connection', 'imsp-account', 'modem-port', 'sms-policy', 'sms-route']);
      assert.deepEqual(flow.filter((n) => n.type !== 'tab' && !configTypes.has(n.type) && n.z !== tabs[0].id).map((n) => n.id), [], 'every node on the tab');
      // One simulator, one config node, whichever examples use it: deployed together they share it.
      for (const n of flow.filter((x) => configTypes.has(x.type))) assert.match(n.id, /^smsflow-example-(cmpp|smpp|imsp|modem|policy|storm-route)$/);
      await helper.load([...core, ...ours], flow);
      for (const n of flow.filter((x) => x.type !== 'tab')) assert.ok(helper.getNode(n.id), `${n.type} ${n.id} started`);
      const errors = helper.log().args.filter((a) => a[0] && a[0].level === 20);
      assert.deepEqual(errors.map((a) => a[0].msg), []);
    });
  }
});

describe(`examples run as they are against the simulators (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30000);
  const { until, sleep } = require('../support/wait');
  let sims;
  before(async () => {
    process.env.HOME = home;
    sims = await testing.startSimulators({}, '127.0.0.1', certificate());
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sims?.stop();
    process.env.HOME = homeBefore;
    fs.rmSync(home, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  /** The example with its debug nodes as helper nodes, to see what reaches them. */
  async function run(prefix) {
    const file = examples.find((f) => f.startsWith(prefix));
    const flow = exampleOn(file, sims.ports);
    const nodes = flow.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z } : n));
    const credentials = Object.fromEntries(flow.filter((n) => n.credentials).map((n) => [n.id, n.credentials]));
    await helper.load([...core, ...ours], nodes, credentials);
  }
  const next = (id, timeoutMs = 15000) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`nothing reached ${id}`)), timeoutMs);
    helper.getNode(id).once('input', (msg) => { clearTimeout(t); resolve(msg); });
  });

  it('01 counts the parts of its texts', async () => {
    await run('01');
    const out = next('ex1-d');
    helper.getNode('ex1-i').receive({});
    const msg = await out;
    const text = JSON.parse(fs.readFileSync(path.join(root, 'examples', examples[0]), 'utf8')).find((n) => n.id === 'ex1-i').payload;
    assert.deepEqual([msg.payload.encoding, msg.payload.count, msg.payload.parts.length], ['gsm7', 1, 1], 'its 158-character text fits one GSM SMS');
    assert.equal(msg.payload.parts.map((p) => p.text).join(''), text, 'the parts hold the whole text');
  });

  it('02 sends by IMSP through the simulated server, trusting its certificate from the file', async () => {
    await run('02');
    const sent = next('ex2-r');
    helper.getNode('ex2-i').receive({});
    const msg = await sent;
    assert.equal(msg.payload.ok, true);
    assert.equal(msg.payload.channel, 'imsp');
  });

  it('03 sends by CMPP and gets the delivery report', async () => {
    await run('03');
    const sent = next('ex3-r');
    const report = next('ex3-rep');
    helper.getNode('ex3-i').receive({});
    assert.equal((await sent).payload.ok, true);
    assert.equal((await report).payload.status, 'delivered');
  });

  it('04 answers a phone once, and not the phone\'s own automatic answer: no loop', async () => {
    await run('04');
    await until(() => sims.cmpp.sessions === 1, { what: 'the login' });
    const before = sims.cmpp.record.submits.length;
    await sims.cmpp.injectMo({ from: '13800138000', to: '1069001', text: '你好，请问营业时间？' });
    await until(() => sims.cmpp.record.submits.length === before + 1, { what: 'the answer' });
    // The simulated phone answers every SMS (after about 3 s); the flow must not answer that.
    await sleep(5000);
    const toPhone = sims.cmpp.record.submits.slice(before).filter((s) => s.body.destTerminalId.includes('13800138000'));
    assert.equal(toPhone.length, 1, 'one answer, then silence');
  });

  it('04 shows something at its Inject: the customer texted answers with a question, which the flow answers once', async () => {
    await run('04');
    await until(() => sims.cmpp.sessions === 1, { what: 'the login' });
    const fromPhone = next('ex4-d');
    const answered = next('ex4-sent');
    helper.getNode('ex4-i').receive({});
    assert.equal((await fromPhone).payload, '收到，请问今天几点前能处理？');
    assert.equal((await answered).payload.ok, true);
  });

  it('05 sends through the virtual modem and gets the delivery report', async () => {
    await run('05');
    const sent = next('ex5-r');
    const report = next('ex5-rep');
    helper.getNode('ex5-i').receive({});
    assert.equal((await sent).payload.ok, true);
    assert.equal((await report).payload.status, 'delivered');
  });

  it('06 sends one alert of one GSM SMS naming the room, and drops the next within 10 minutes', async () => {
    await run('06');
    const sent = next('ex6-r');
    helper.getNode('ex6-sw').receive({ payload: 36.4, topic: 'room-b' });
    const msg = await sent;
    assert.deepEqual([msg.payload.ok, msg.payload.parts, msg.payload.encoding], [true, 1, 'gsm7']);
    let more = 0;
    helper.getNode('ex6-r').on('input', () => more++);
    helper.getNode('ex6-sw').receive({ payload: 37.1, topic: 'room-b' });
    await sleep(500);
    assert.equal(more, 0, 'the rate limit drops the second alert');
    await until(() => sims.phone.inbox.some((m) => m.text.startsWith('ALERT room-b: temperature 36.4 C')), { what: 'the alert at the phone, naming the room' });
  });

  it('08 sends one SMS for 20 copies of an alert (the rest SMS_DUPLICATE at the Catch node), lets an urgent one through, and stops on TD from the phone', async () => {
    await run('08');
    await until(() => sims.cmpp.sessions >= 1, { what: 'the login' });
    const sent = [];
    const held = [];
    helper.getNode('ex8-r').on('input', (m) => sent.push(m));
    helper.getNode('ex8-held').on('input', (m) => held.push(m));
    const status = next('ex8-std');
    helper.getNode('ex8-i').receive({});
    await until(() => sent.length + held.length === 20, { what: '20 outcomes' });
    assert.equal(sent.length, 1);
    assert.deepEqual([...new Set(held.map((m) => m.error.code))], ['SMS_DUPLICATE']);
    // Two seconds later sms status reads the alert from the policy's history: sent by CMPP, and reported.
    const story = (await status).payload;
    assert.deepEqual([story.key, story.channel, story.to], [sent[0].payload.key, 'route', ['13800138000']]);
    assert.equal(story.state, 'delivered');
    assert.equal(story.recipients[0].parts[0].id, sent[0].payload.results[0].id);
    assert.equal(story.recipients[0].report.detail, 'DELIVRD');
    helper.getNode('ex8-u').receive({});
    await until(() => sent.length === 2, { what: 'the urgent alert' });
    assert.equal(sent[1].payload.ok, true);
    const mo = next('ex8-mo');
    await sims.cmpp.injectMo({ from: '13800138000', to: '1069001', text: 'TD' });
    assert.equal((await mo).payload, 'TD');
    await until(() => (sims.cmpp.inboxes.get('13800138000') ?? []).some((m) => m.text === '您已退订告警短信，回复 START 可恢复。'), { what: 'the confirmation at the phone' });
    helper.getNode('ex8-f').receive({ payload: 'ALERT room-b: smoke' });
    await until(() => held.length === 39, { what: '20 more outcomes' });
    assert.deepEqual([...new Set(held.slice(19).map((m) => m.error.code))], ['SMS_OPTED_OUT']);
    helper.getNode('ex8-l').receive({});
    await until(() => sent.length === 3, { what: 'the list' });
    assert.deepEqual(sent[2].payload.map((e) => e.number), ['13800138000']);
  });

  it('07 sends by SMPP, gets the receipt, and shows the phone\'s answer', async () => {
    await run('07');
    const sent = next('ex7-r');
    const report = next('ex7-rep');
    const answer = next('ex7-mo');
    helper.getNode('ex7-i').receive({ payload: 'Pump 3 stopped at 10:42, tank level 12%. Reply 1 to confirm.', to: '+447700900123', correlation: { alarm: 'pump-3' } });
    const result = (await sent).payload;
    assert.deepEqual([result.ok, result.channel, result.encoding], [true, 'smpp', 'gsm7']);
    const receipt = await report;
    assert.equal(receipt.payload.status, 'delivered');
    assert.deepEqual(receipt.correlation, { alarm: 'pump-3' });
    assert.equal((await answer).payload, 'OK, received!');
  });
});
