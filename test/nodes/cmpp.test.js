'use strict';
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const { until } = require('../support/wait');
const { cmpp } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const nodes = ['cmpp-connection', 'cmpp-submit', 'cmpp-deliver-in'].map((n) => require(`../../dist/nodes/${n}.js`));

function flow(port, extra = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'cmpp' },
    { id: 'conn', type: 'cmpp-connection', host: '127.0.0.1', port, spId: '901234', version: '3.0', srcId: '1069001', serviceId: 'ALERT', window: 16, responseTimeout: 60, maxTries: 3, activeTest: 180, reconnectMax: 1, rate: 0, queueSize: 100, utcOffset: 8, referenceBits: '8', ...extra },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', connection: 'conn', to: '', encoding: 'auto', registeredDelivery: true, srcId: '', serviceId: '', wires: [['sent']] },
    { id: 'submit2', z: 'tab', type: 'cmpp-submit', connection: 'conn', to: '13900139000', encoding: 'auto', registeredDelivery: false, srcId: '', serviceId: '', wires: [['sent']] },
    { id: 'receive', z: 'tab', type: 'cmpp-deliver-in', connection: 'conn', wires: [['mo'], ['reports']] },
    { id: 'sent', z: 'tab', type: 'helper' },
    { id: 'mo', z: 'tab', type: 'helper' },
    { id: 'reports', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const next = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

describe(`cmpp nodes (Node-RED ${runtimeVersion()}) against the ISMG simulator`, function () {
  let sim;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    sim = new testing.IsmgSimulator({ reportDelayMs: 10 });
    await sim.start();
  });
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
  });

  it('sends through one shared connection and returns the result on the msg', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1, { what: 'the login' });
    const sent = next('sent');
    helper.getNode('submit').receive({ payload: 'Server room B: 36 °C', to: '13800138000', topic: 'room-b' });
    const msg = await sent;
    assert.equal(msg.topic, 'room-b');
    assert.equal(msg.payload.channel, 'cmpp');
    assert.equal(msg.payload.ok, true);
    assert.equal(msg.payload.encoding, 'ucs2', '° is not ASCII');
    assert.deepEqual(msg.payload.results.map((r) => [r.to, r.part, r.ok]), [['13800138000', 1, true]]);
    assert.equal(sim.record.connects.length, 1, 'three nodes, one login');
    assert.equal(sim.record.submits[0].body.serviceId, 'ALERT');
  });

  it('follows each send in the SMS sidebar with its number and text cut short (a pair of surrogates is one character)', async () => {
    const { activity } = require('../../dist/nodes/activity.js');
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1, { what: 'the login' });
    const sent = next('sent');
    helper.getNode('submit').receive({ payload: '🔥🔥 fire in room B, the sprinklers are on', to: '13800138000' });
    await sent;
    const [view] = activity(helper._RED).snapshot().messages;
    assert.equal(view.to, '••••••••000');
    // Twenty characters, each flame one of them (two UTF-16 units).
    assert.equal(view.text, '🔥🔥 fire in room B, t…');
    assert.equal(view.state, 'sent');
    helper.getNode('submit').receive({ payload: 'ok', to: '13800138000' });
    await until(() => activity(helper._RED).snapshot().messages[0].text === 'ok', { what: 'a short text shown whole' });
  });

  /**
   * With the gateway away, a connection with the SQLite store (queue wait `queueTimeout` s) takes `count` msgs,
   * past the 10,000 it keeps in memory; `listen` is called once the flow is loaded. Resolves with the gateway's port.
   */
  async function storm(count, queueTimeout, listen) {
    const port = sim.port;
    await sim.stop();
    await helper.load(nodes, flow(port, { store: 'sqlite', queueSize: 20000, queueTimeout }), { conn: { sharedSecret: 'secret' } });
    listen();
    const submit = helper.getNode('submit');
    // Messages sent before the store is read wait in memory (their ids must follow the kept ones'): past that, they park.
    await helper.getNode('conn').register(submit).recovery;
    for (let n = 0; n < count; n++) submit.receive({ payload: `alert ${n}`, to: '13800138000', correlation: { n }, topic: 'storm' });
    return port;
  }

  it('past 10,000 waiting (SQLite store): the sidebar shows the parked msgs waiting, then sent; each outcome is a msg of its own with the kept topic and correlation', async function () {
    this.timeout(60000);
    const { activity } = require('../../dist/nodes/activity.js');
    const outcomes = [];
    const port = await storm(10010, 0, () => helper.getNode('sent').on('input', (msg) => outcomes.push(msg)));
    await until(() => activity(helper._RED).snapshot().channels[0]?.queue === 10010, { timeoutMs: 30000, what: 'all 10,010 waiting' });
    const shown = activity(helper._RED).snapshot().messages;
    assert.equal(shown[0].text, 'alert 10009');
    assert.equal(shown[0].state, 'accepted');
    sim = new testing.IsmgSimulator({ port, reportDelayMs: 10 });
    await sim.start();
    await until(() => outcomes.length === 10010, { timeoutMs: 45000, what: 'every outcome' });
    const parked = outcomes.filter((m) => m.correlation.n >= 10000);
    assert.equal(parked.length, 10);
    for (const msg of parked) {
      assert.equal(msg.payload.ok, true);
      assert.equal(msg.topic, 'storm', 'the kept correlation comes back');
      assert.equal(msg.carriedOver, undefined, 'not carried over a restart');
      assert.ok(msg.sentMsgId, 'a msg of its own, naming the one sent');
    }
    await until(() => activity(helper._RED).snapshot().messages[0].state === 'sent', { what: 'the sidebar to show the parked message sent' });
  });

  it('past 10,000 waiting (SQLite store): a parked msg that fails reaches the Catch node as a msg with its kept topic and correlation', async function () {
    this.timeout(60000);
    const caught = [];
    // The gateway stays away: every message waits out its queue wait (1 s).
    await storm(10005, 1, () => helper.getNode('caught').on('input', (msg) => caught.push(msg)));
    await until(() => caught.length === 10005, { timeoutMs: 45000, what: 'every failure at the Catch node' });
    const parked = caught.filter((m) => m.correlation.n >= 10000);
    assert.deepEqual(parked.map((m) => m.correlation.n).sort((a, b) => a - b), [10000, 10001, 10002, 10003, 10004]);
    for (const msg of parked) {
      assert.equal(msg.topic, 'storm');
      assert.ok(msg.sentMsgId, 'a msg of its own, naming the one sent');
      assert.match(msg.error.message, /CMPP_QUEUE_TIMEOUT|not sent within/);
    }
    sim = new testing.IsmgSimulator({ reportDelayMs: 10 });
    await sim.start();
  });

  it('emits the delivery report on the second output with the sent msg\'s correlation and topic', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    const report = next('reports');
    helper.getNode('submit').receive({ payload: 'x'.repeat(200), to: '13800138000', topic: 'alarm', correlation: { id: 7 } });
    const msg = await report;
    assert.equal(msg.topic, 'alarm');
    assert.deepEqual(msg.correlation, { id: 7 });
    assert.equal(msg.payload.status, 'delivered');
    assert.deepEqual(msg.payload.parts, { total: 2, delivered: 2, failed: 0 });
    assert.equal(msg.payload.correlation, undefined);
  });

  it('emits a message from a phone, joined, on the first output', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    const mo = next('mo');
    const text = '收到，马上处理。'.repeat(12);
    await sim.injectMo({ from: '13800138000', to: '1069001', text });
    const msg = await mo;
    assert.equal(msg.payload, text);
    assert.equal(msg.from, '13800138000');
    assert.equal(msg.sms.parts, 2);
  });

  it('reports a refused login on the status and every send to a Catch node, without the secret anywhere', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'hunter2-wrong' } });
    const submit = helper.getNode('submit');
    const statuses = [];
    submit.on('call:status', (call) => statuses.push(call.args[0]));
    await until(() => statuses.some((s) => /^@smsflow\/node-red-sms\/cmpp-connection:cmpp-connection\.status\.loginRetry\|\{"time":"\d\d:\d\d"\}$/.test(s.text)), { what: 'the login failure status' });
    const caught = next('caught');
    submit.receive({ payload: 'x', to: '13800138000' });
    const msg = await caught;
    assert.match(msg.error.message, /CMPP login/);
    assert.equal(msg.payload, 'x', 'the msg reaches the Catch node untouched');
    const logged = JSON.stringify(helper.log().args) + JSON.stringify(statuses);
    assert.ok(!logged.includes('hunter2'), 'the shared secret never shows');
  });

  it('a store folder that cannot be made: the status and the log say so, each send reaches a Catch node as STORE_WRITE, and sending resumes by itself', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-nr-'));
    const blocker = path.join(userDir, 'smsflow');
    fs.writeFileSync(blocker, 'a file where the store folder should be');
    await helper.loadIn(userDir, nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    const submit = helper.getNode('submit');
    const statuses = [];
    submit.on('call:status', (call) => statuses.push(call.args[0]));
    await until(() => statuses.some((s) => s.fill === 'red' && s.text === '@smsflow/node-red-sms/cmpp-connection:cmpp-connection.store.notWritable'), { what: 'the store status' });
    const logged = () => helper.log().args.map((a) => JSON.stringify(a[0])).join('\n');
    assert.match(logged(), /smsflow\/cmpp-.*\.sqlite cannot be opened for writing/);
    const caught = next('caught');
    submit.receive({ payload: 'boiler pressure low', to: '13800138000' });
    const msg = await caught;
    assert.equal(msg.error.source.id, 'submit');
    assert.match(msg.error.message, /STORE_WRITE|cannot be opened for writing/);
    assert.equal(sim.record.submits.length, 0, 'nothing left that could not be written down');
    fs.unlinkSync(blocker);
    // The helper leaves texts as their keys: the key says which line was logged.
    await until(() => /cmpp-connection\.store\.writable|can be written again/.test(logged()), { timeoutMs: 15000, what: 'the log to say the store writes again' });
    const sent = next('sent');
    submit.receive({ payload: 'boiler pressure back to normal', to: '13800138000' });
    assert.equal((await sent).payload.ok, true);
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('sends an object payload as its JSON, not as "[object Object]"', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1, { what: 'the login' });
    const sent = next('sent');
    helper.getNode('submit').receive({ payload: { room: 'B', temp: 36 }, to: '13800138000' });
    assert.equal((await sent).payload.ok, true);
    assert.equal(sim.record.submits[0].body.msgContent.toString('latin1'), '{"room":"B","temp":36}');
  });

  it('reports a failed recipient with its code to a Catch node', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    sim.faults.submitResult = 13;
    const caught = next('caught');
    helper.getNode('submit2').receive({ payload: 'hello' });
    const msg = await caught;
    assert.match(msg.error.message, /CMPP send to 13900139000, part 1, failed: Dest_terminal_Id error/);
  });

  it('shows a failed send as a red ring with its code on the send node until the next success', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    const submit = helper.getNode('submit2');
    const statuses = [];
    submit.on('call:status', (call) => statuses.push(call.args[0]));
    sim.faults.submitResult = 13;
    const caught = next('caught');
    submit.receive({ payload: 'hello' });
    await caught;
    await until(() => statuses.some((s) => s.fill === 'red' && s.shape === 'ring' && s.text === '@smsflow/node-red-sms/cmpp-submit:cmpp-submit.status.failed|{"code":"CMPP_13"}'), { what: 'the red ring' });
    // A change of the link's state does not hide the failure.
    sim.faults.submitResult = 0;
    const sent = next('sent');
    submit.receive({ payload: 'hello again' });
    await sent;
    await until(() => statuses[statuses.length - 1].fill === 'green', { what: 'the failure to clear after a success' });
  });

  it('refuses a text over the node\'s SMS limit, and an empty one, with the reason on the msg', async () => {
    const f = flow(sim.port);
    f.find((n) => n.id === 'submit2').maxParts = 2;
    await helper.load(nodes, f, { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    let caught = next('caught');
    helper.getNode('submit2').receive({ payload: 'x'.repeat(400) });
    let msg = await caught;
    assert.match(msg.error.message, /needs 3 SMS .* the limit is 2 per message/);
    caught = next('caught');
    helper.getNode('submit2').receive({ payload: '' });
    msg = await caught;
    assert.match(msg.error.message, /the message is empty/);
    assert.equal(sim.record.submits.length, 0);
  });

  it('updates a node\'s status at most four times a second, however busy the queue', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    const submit = helper.getNode('submit2');
    const times = [];
    submit.on('call:status', () => times.push(Date.now()));
    let count = 0;
    helper.getNode('sent').on('input', () => count++);
    helper.getNode('caught').on('input', () => count++);
    for (let i = 0; i < 500; i++) submit.receive({ payload: `m${i}` });
    await until(() => count === 500, { timeoutMs: 10000, what: '500 sends' });
    await new Promise((r) => setTimeout(r, 300));
    const span = Math.max(1, times[times.length - 1] - times[0]);
    assert.ok(times.length <= Math.ceil(span / 250) + 2, `${times.length} status updates in ${span} ms`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 240, 'never two within a quarter second');
  });

  it('logs an outage once when it starts and once when it ends, not every retry', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    const port = sim.port;
    await sim.stop();
    sim.dropLinks();
    await new Promise((r) => setTimeout(r, 1500)); // reconnect tries every second at most
    sim = new testing.IsmgSimulator({ port });
    await sim.start();
    await until(() => sim.sessions === 1, { timeoutMs: 5000, what: 'the reconnect' });
    const connLogs = () => helper.log().args.map((a) => a[0]).filter((e) => e.id === 'conn');
    // The gateway counts the login before the client has read its answer: wait for the client's side.
    await until(() => connLogs().some((e) => String(e.msg).includes('cmpp-connection.log.up')), { what: 'the link to be logged up' });
    const logs = connLogs();
    const downs = logs.filter((e) => /CMPP link to 127\.0\.0\.1:\d+ down/.test(String(e.msg)) || String(e.msg).includes('cmpp-connection.warn.disconnected'));
    const ups = logs.filter((e) => String(e.msg).includes('cmpp-connection.log.up'));
    assert.equal(downs.length, 1, JSON.stringify(logs.map((e) => e.msg)));
    assert.equal(ups.length, 1);
  });

  for (const [store, key] of [['memory', 'closedWithQueue'], ['sqlite', 'keptInStore']]) {
    it(`warns once, naming the connection, when a deploy closes it with messages still queued (${store}: ${key})`, async () => {
      await helper.load(nodes, flow(sim.port, { store }), { conn: { sharedSecret: 'secret' } });
      await until(() => sim.sessions === 1);
      sim.faults.withholdResponses = true;
      for (let i = 0; i < 30; i++) helper.getNode('submit2').receive({ payload: `queued ${i}` });
      await until(() => sim.record.submits.length === 16, { what: 'a full window' });
      const warnings = [];
      const conn = helper.getNode('conn');
      const warn = conn.warn.bind(conn);
      conn.warn = (m) => { // the helper's spies are gone once unload starts
        warnings.push(String(m));
        warn(m);
      };
      await helper.unload();
      assert.deepEqual(warnings.filter((w) => w.startsWith('cmpp-connection.warn.')), [`cmpp-connection.warn.${key}`]);
    });
  }

  it('shows the links up of all when the connection has several', async () => {
    await helper.load(nodes, flow(sim.port, { links: 3 }), { conn: { sharedSecret: 'secret' } });
    const statuses = [];
    helper.getNode('submit2').on('call:status', (call) => statuses.push(call.args[0]));
    await until(() => sim.sessions === 3, { what: 'three logins' });
    await until(() => statuses.some((s) => s.fill === 'green' && s.text === '@smsflow/node-red-sms/cmpp-connection:cmpp-connection.status.links|{"up":3,"total":3,"depth":0}'), { what: 'three links up of three' });
  });

  it('says in the status when the queue is nearly full', async () => {
    await helper.load(nodes, flow(sim.port, { queueSize: 20 }), { conn: { sharedSecret: 'secret' } });
    const statuses = [];
    helper.getNode('submit2').on('call:status', (call) => statuses.push(call.args[0]));
    // Logged in as the node sees it (the gateway counts the session a moment before the client reads its answer):
    // sent before that, all 34 would queue and 14 be refused as QUEUE_FULL.
    await until(() => statuses.some((s) => /cmpp-connection\.status\.connected$/.test(s.text)), { what: 'the connected status' });
    sim.faults.withholdResponses = true;
    for (let i = 0; i < 34; i++) helper.getNode('submit2').receive({ payload: `m${i}` });
    await until(() => statuses.some((s) => /cmpp-connection\.status\.nearlyFull\|\{"percent":\d+\}$/.test(s.text) && s.fill === 'yellow'), { what: 'the nearly-full status' });
  });

  it('keeps the link up when a send node is only redeployed, and closes it when its last user is removed', async () => {
    const f = flow(sim.port).filter((n) => n.id !== 'submit2' && n.id !== 'receive');
    await helper.load(nodes, f, { conn: { sharedSecret: 'secret' } });
    await until(() => sim.sessions === 1);
    // A "modified nodes" deploy of the send node alone: the connection is untouched.
    const changed = f.map((n) => (n.id === 'submit' ? { ...n, to: '13700137000' } : n));
    await helper.setFlows(changed, 'nodes');
    await until(() => helper.getNode('submit'), { what: 'the new send node' });
    const sent = next('sent');
    helper.getNode('submit').receive({ payload: 'after redeploy' });
    assert.equal((await sent).payload.to[0], '13700137000');
    assert.equal(sim.record.connects.length, 1, 'no new login');
    assert.equal(sim.record.terminates, 0);
    // The last user removed: the connection closes with TERMINATE.
    await helper.setFlows(changed.filter((n) => n.id !== 'submit'), 'nodes');
    await until(() => sim.record.terminates === 1, { what: 'TERMINATE' });
  });

  it('closes the connection with TERMINATE when the flow stops', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { sharedSecret: 'secret' } });
    // Logged in as the node sees it (every status it was given, from the first): the gateway counts the session a moment
    // before the client reads its answer, and a link closed while it still waits for that answer has no session to end.
    const shown = () => helper.getNode('submit2').status.args.map((a) => a[0]);
    await until(() => shown().some((s) => /cmpp-connection\.status\.connected$/.test(s.text)), { what: 'the connected status' });
    await helper.unload();
    await until(() => sim.record.terminates === 1, { what: 'TERMINATE' });
  });
});
