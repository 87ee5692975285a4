'use strict';
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const { until } = require('../support/wait');
const testing = require('../../dist/src/testing');
const nodes = ['smpp-connection', 'smpp-send', 'smpp-receive'].map((n) => require(`../../dist/nodes/${n}.js`));

function flow(port, extra = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'smpp' },
    { id: 'conn', type: 'smpp-connection', configVersion: 2, host: '127.0.0.1', port, systemId: 'smppclient1', sourceAddr: 'ALERTS', reconnectMax: 1, queueSize: 100, store: 'memory', ...extra },
    { id: 'send', z: 'tab', type: 'smpp-send', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: true, wires: [['sent']] },
    { id: 'send2', z: 'tab', type: 'smpp-send', configVersion: 2, connection: 'conn', to: '886900000000', encoding: 'auto', registeredDelivery: false, wires: [['sent']] },
    { id: 'receive', z: 'tab', type: 'smpp-receive', configVersion: 2, connection: 'conn', wires: [['mo'], ['reports']] },
    { id: 'sent', z: 'tab', type: 'helper' },
    { id: 'mo', z: 'tab', type: 'helper' },
    { id: 'reports', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const next = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

describe(`smpp nodes (Node-RED ${runtimeVersion()}) against the SMSC simulator`, function () {
  let sim;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    sim = new testing.SmscSimulator({ reportDelayMs: 10 });
    await sim.start();
  });
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
  });

  it('binds once for three nodes, sends, and returns the result on the msg', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { password: 'password' } });
    await until(() => sim.bound === 1, { what: 'the bind' });
    const sent = next('sent');
    helper.getNode('send').receive({ payload: 'Server room B: 36 °C', to: '+886912345678', topic: 'room-b' });
    const msg = await sent;
    assert.equal(msg.topic, 'room-b');
    assert.equal(msg.payload.channel, 'smpp');
    assert.equal(msg.payload.ok, true);
    assert.equal(msg.payload.encoding, 'ucs2', '° is not in the GSM alphabet');
    assert.deepEqual(msg.payload.results.map((r) => [r.to, r.part, r.ok]), [['+886912345678', 1, true]]);
    assert.equal(sim.record.binds.length, 1);
    assert.deepEqual([sim.record.binds[0].mode, sim.record.submits[0].body.sourceAddr, sim.record.submits[0].body.sourceAddrTon], ['transceiver', 'ALERTS', 5]);
  });

  it('emits the receipt on the second output with the sent msg\'s correlation, and a phone\'s message on the first', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { password: 'password' } });
    await until(() => sim.bound === 1);
    const report = next('reports');
    helper.getNode('send').receive({ payload: 'x'.repeat(200), to: '886912345678', topic: 'alarm', correlation: { id: 7 } });
    const msg = await report;
    assert.equal(msg.topic, 'alarm');
    assert.deepEqual(msg.correlation, { id: 7 });
    assert.equal(msg.payload.status, 'delivered');
    assert.deepEqual(msg.payload.parts, { total: 2, delivered: 2, failed: 0 });
    const mo = next('mo');
    const text = 'Got it, on my way. '.repeat(10);
    await sim.injectMo({ from: '886912345678', to: 'ALERTS', text });
    const incoming = await mo;
    assert.equal(incoming.payload, text);
    assert.equal(incoming.from, '886912345678');
    assert.equal(incoming.sms.parts, 2);
  });

  it('says a refused bind on the status and to a Catch node for every send, without the password anywhere', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { password: 'hunter2!' } });
    const send = helper.getNode('send');
    const statuses = [];
    send.on('call:status', (call) => statuses.push(call.args[0]));
    await until(() => statuses.some((s) => /^@smsflow\/node-red-sms\/smpp-connection:smpp-connection\.status\.loginRetry\|\{"time":"\d\d:\d\d"\}$/.test(s.text)), { what: 'the bind failure status' });
    const caught = next('caught');
    send.receive({ payload: 'x', to: '886912345678' });
    const msg = await caught;
    assert.match(msg.error.message, /SMPP bind refused: ESME_RINVPASWD/);
    const logged = JSON.stringify(helper.log().args) + JSON.stringify(statuses);
    assert.ok(!logged.includes('hunter2'), 'the password never shows');
  });

  it('reports a send that cannot go to a Catch node with the field named, and shows a red ring with the code', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { password: 'password' } });
    await until(() => sim.bound === 1);
    const send = helper.getNode('send2');
    const statuses = [];
    send.on('call:status', (call) => statuses.push(call.args[0]));
    const caught = next('caught');
    send.receive({ payload: 'hello', to: '1' });
    const bad = await caught;
    assert.equal(bad.error.source.id, 'send2');
    assert.match(bad.error.message, /to: "1" is not a phone number/);
    await until(() => statuses.some((s) => s.fill === 'red' && s.text === '@smsflow/node-red-sms/smpp-send:smpp-send.status.failed|{"code":"SMS_FIELD"}'), { what: 'the red ring' });
  });

  it('reports a number the SMSC refuses to a Catch node as SMPP_11 with its meaning', async () => {
    await helper.load(nodes, flow(sim.port), { conn: { password: 'password' } });
    await until(() => sim.bound === 1);
    sim.faults.refuseDestinations = ['886900000000'];
    const caught = next('caught');
    helper.getNode('send2').receive({ payload: 'hello' });
    const msg = await caught;
    assert.equal(msg.error.source.id, 'send2');
    assert.match(msg.error.message, /SMPP send to 886900000000, part 1, failed: ESME_RINVDSTADR \(0x0000000b\): the destination number is invalid/);
  });

  it('refuses a password longer than SMPP allows without trying to bind, and never shows it', async () => {
    const flowWithLongPassword = flow(sim.port);
    await helper.load(nodes, flowWithLongPassword, { conn: { password: 'much-too-long-secret' } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sim.record.binds.length, 0);
    const errors = helper.log().args.map((a) => a[0]).filter((e) => e.type === 'smpp-send' && e.msg instanceof Error);
    assert.equal(errors[0].msg.code, 'SMS_FIELD');
    assert.equal(errors[0].msg.message, 'password: at most 8 characters, got 20 (SMPP 3.4\'s limit)');
    assert.ok(!JSON.stringify(helper.log().args).includes('much-too-long-secret'));
  });

  it('shows the links bound of all when the connection opens several', async () => {
    await helper.load(nodes, flow(sim.port, { links: 2 }), { conn: { password: 'password' } });
    const send = helper.getNode('send');
    const statuses = [];
    send.on('call:status', (call) => statuses.push(call.args[0]));
    await until(() => statuses.some((s) => s.text === '@smsflow/node-red-sms/smpp-connection:smpp-connection.status.links|{"up":2,"total":2,"depth":0}'), { what: 'the 2/2 status' });
    assert.equal(sim.record.binds.length, 2);
  });
});
