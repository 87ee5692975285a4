'use strict';
const assert = require('node:assert/strict');
const { until } = require('../support/wait');
const { helper, runtimeVersion } = require('../support/node-red');
const { imsp } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const nodes = ['imsp-account', 'imsp-send'].map((n) => require(`../../dist/nodes/${n}.js`));

function flow(sim, extra = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'imsp' },
    { id: 'acct', type: 'imsp-account', baseUrl: sim.baseUrl, account: 'demo0001', method: 'POST', timeout: 5, ca: sim.certificate.cert, pollInitial: 1, pollDeadline: 1 },
    { id: 'send', z: 'tab', type: 'imsp-send', account: 'acct', to: '0912345678', encoding: 'auto', msgType: '0', destPort: '', expire: 0, track: false, wires: [['result'], ['reports']], ...extra },
    { id: 'result', z: 'tab', type: 'helper' },
    { id: 'reports', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const READY = '@smsflow/node-red-sms/imsp-account:imsp-account.status.ready';
const next = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

describe(`imsp nodes (Node-RED ${runtimeVersion()}) against the IMSP simulator`, function () {
  let sim;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    sim = new testing.ImspSimulator({ deliverAfterMs: 50 });
    await sim.start();
  });
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
  });

  it('a store folder that cannot be made: the status says so, sends still go (only report expectations live there), and the log says when it writes again', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-nr-'));
    const blocker = path.join(userDir, 'smsflow');
    fs.writeFileSync(blocker, 'a file where the store folder should be');
    await helper.loadIn(userDir, nodes, flow(sim), { acct: { password: 'pass1234' } });
    const shown = () => helper.getNode('send').status.args.map((a) => a[0]);
    await until(() => shown().some((s) => s.fill === 'red' && s.text === '@smsflow/node-red-sms/imsp-account:imsp-account.store.notWritable'), { what: 'the store status' });
    const result = next('result');
    helper.getNode('send').receive({ payload: 'UPS on battery' });
    assert.equal((await result).payload.ok, true);
    fs.unlinkSync(blocker);
    const logged = () => helper.log().args.map((a) => JSON.stringify(a[0])).join('\n');
    await until(() => /imsp-account\.store\.writable/.test(logged()), { timeoutMs: 15000, what: 'the log to say the store writes again' });
    await until(() => shown()[shown().length - 1].text === READY, { what: 'the status back to ready' });
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('shows the one status picture of every send node: the account ready when idle and after a success, a red ring for a refusal, never a count of sends', async () => {
    await helper.load(nodes, flow(sim), { acct: { password: 'pass1234' } });
    const shown = () => helper.getNode('send').status.args.map((a) => a[0]);
    await until(() => shown().some((s) => s.fill === 'green' && s.shape === 'dot' && s.text === READY), { what: 'ready when idle' });
    const result = next('result');
    helper.getNode('send').receive({ payload: 'UPS on battery' });
    await result;
    const caught = next('caught');
    helper.getNode('send').receive({ payload: 'x', to: '12345' });
    await caught;
    await until(() => shown()[shown().length - 1].fill === 'red', { what: 'the red ring of the refusal' });
    assert.deepEqual(shown().filter((s) => /sending/.test(s.text ?? '')), []);
  });

  it('sends and puts one result per recipient and part on the msg', async () => {
    await helper.load(nodes, flow(sim), { acct: { password: 'pass1234' } });
    const result = next('result');
    helper.getNode('send').receive({ payload: '機房溫度過高，請立即檢查。', topic: 'room-b' });
    const msg = await result;
    assert.equal(msg.topic, 'room-b');
    assert.deepEqual([msg.payload.channel, msg.payload.ok, msg.payload.msgDcs, msg.payload.parts], ['imsp', true, 8, 1]);
    assert.match(msg.payload.results[0].id, /^H[0-9A-F]{7}$/);
    assert.equal(sim.requests[0].params.to_addr, '0912345678');
  });

  it('emits the delivery report on the second output, with the correlation data', async () => {
    await helper.load(nodes, flow(sim, { track: true }), { acct: { password: 'pass1234' } });
    const report = next('reports');
    helper.getNode('send').receive({ payload: 'hello', to: '0987654321', correlation: 42, topic: 't' });
    const msg = await report;
    assert.deepEqual([msg.payload.status, msg.payload.to, msg.correlation, msg.topic], ['delivered', '0987654321', 42, 't']);
  });

  it('reports a refused send to a Catch node with the code and its meaning, password never shown', async () => {
    await helper.load(nodes, flow(sim), { acct: { password: 'wrong-pw' } });
    const statuses = [];
    helper.getNode('send').on('call:status', (call) => statuses.push(call.args[0]));
    const caught = next('caught');
    helper.getNode('send').receive({ payload: 'x' });
    const msg = await caught;
    await until(() => statuses.some((s) => s.fill === 'red' && s.shape === 'ring' && s.text === '@smsflow/node-red-sms/imsp-send:imsp-send.status.failed|{"code":"IMSP_22"}'), { what: 'the same red ring as every channel' });
    assert.match(msg.error.message, /IMSP send to 0912345678, part 1, failed: Password error or no this account/);
    assert.equal(msg.payload, 'x');
    assert.ok(!JSON.stringify(helper.log().args).includes('wrong-pw'));
  });

  it('refuses bad input before sending', async () => {
    await helper.load(nodes, flow(sim), { acct: { password: 'pass1234' } });
    const caught = next('caught');
    helper.getNode('send').receive({ payload: 'x', to: '12345' });
    const msg = await caught;
    assert.match(msg.error.message, /to_addr: "12345" is not a number IMSP takes/);
    assert.equal(sim.requests.length, 0);
  });

  it('changes the password from a flow', async () => {
    await helper.load(nodes, flow(sim), { acct: { password: 'pass1234' } });
    const result = next('result');
    helper.getNode('send').receive({ action: 'changePassword', payload: 'n3w#pass' });
    const msg = await result;
    assert.deepEqual([msg.payload.ok, msg.payload.code], [true, 0]);
    assert.equal(sim.options.accounts.demo0001, 'n3w#pass');
  });
});
