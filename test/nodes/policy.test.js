'use strict';
// sms-policy in Node-RED: the send nodes of a CMPP and an SMPP connection
// that name one policy, and a route that names it, against the package's
// simulators; the opt-out list through the editor's admin endpoints.
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const { until } = require('../support/wait');
const testing = require('../../dist/src/testing');
const nodes = ['sms-policy', 'sms-status', 'cmpp-connection', 'cmpp-submit', 'cmpp-deliver-in', 'smpp-connection', 'smpp-send', 'sms-route', 'sms-send'].map((n) => require(`../../dist/nodes/${n}.js`));

function flow(ismgPort, smscPort, policyExtra = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'policy' },
    { id: 'policy', type: 'sms-policy', name: 'alerts', limitCount: 5, limitWindow: 60, limitUnit: 'messages', limitOver: 'refuse', duplicateWindow: 10, quietFrom: '', quietTo: '', keywords: true, stopReply: 'Unsubscribed.', store: 'sqlite', ...policyExtra },
    { id: 'cmpp', type: 'cmpp-connection', name: 'ISMG', configVersion: 2, host: '127.0.0.1', port: ismgPort, spId: '901234', srcId: '1069001', version: '3.0', reconnectMax: 1, store: 'memory', policy: 'policy' },
    { id: 'smpp', type: 'smpp-connection', name: 'SMSC', configVersion: 2, host: '127.0.0.1', port: smscPort, systemId: 'smppclient1', sourceAddr: 'ALERTS', reconnectMax: 1, store: 'memory', policy: 'policy' },
    { id: 'route', type: 'sms-route', name: 'r', configVersion: 2, rules: [{ prefixes: '', strategy: 'failover', channels: [{ channel: 'smpp' }] }], revert: 60, policy: 'policy' },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'cmpp', to: '', registeredDelivery: false, wires: [['sent']] },
    { id: 'deliver', z: 'tab', type: 'cmpp-deliver-in', configVersion: 2, connection: 'cmpp', wires: [['mo'], []] },
    { id: 'smppSend', z: 'tab', type: 'smpp-send', configVersion: 2, connection: 'smpp', to: '', registeredDelivery: false, wires: [['sent']] },
    { id: 'routeSend', z: 'tab', type: 'sms-send', configVersion: 2, route: 'route', to: '', registeredDelivery: false, wires: [['sent']] },
    { id: 'status', z: 'tab', type: 'sms-status', policy: 'policy', wires: [['statuses']] },
    { id: 'statuses', z: 'tab', type: 'helper' },
    { id: 'sent', z: 'tab', type: 'helper' },
    { id: 'mo', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}
const CREDENTIALS = { cmpp: { sharedSecret: 'secret' }, smpp: { password: 'password' } };

/** Every msg a helper node gets, from now on. */
function collect(id) {
  const seen = [];
  helper.getNode(id).on('input', (msg) => seen.push(msg));
  return seen;
}

describe(`sms-policy (Node-RED ${runtimeVersion()}) over CMPP, SMPP and a route`, function () {
  this.timeout(20000);
  let ismg;
  let smsc;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    ismg = new testing.IsmgSimulator({ reportDelayMs: 10 });
    smsc = new testing.SmscSimulator({ reportDelayMs: 10 });
    await ismg.start();
    await smsc.start();
  });
  afterEach(async () => {
    await helper.unload();
    await ismg.stop();
    await smsc.stop();
  });

  it('a flapping alert into cmpp send: 1 sent, the 49 copies at the Catch node with SMS_DUPLICATE and what to change', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1, { what: 'logged in' });
    const sent = collect('sent');
    const caught = collect('caught');
    for (let i = 0; i < 50; i++) helper.getNode('submit').receive({ payload: 'Boiler 3: temperature high', to: '13800138000' });
    await until(() => sent.length + caught.length === 50, { what: '50 outcomes' });
    assert.equal(sent.length, 1);
    assert.equal(typeof sent[0].payload.key, 'string');
    assert.deepEqual([...new Set(caught.map((m) => m.error.message.match(/same text/) && m.payload))].length, 1);
    const err = caught[0].error;
    assert.match(err.message, /not sent: the same text went to 13800138000 at .* \(message [0-9a-f-]{36}\), \d+ copy\(ies\) suppressed since; change the text, or shorten the policy's duplicate window/);
    assert.equal(ismg.record.submits.length, 1, 'one SUBMIT on the wire');
  });

  it('STOP from a phone on CMPP: the reply goes back, and an SMPP send to that number ends SMS_OPTED_OUT; msg.action optIn lifts it', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    const mo = collect('mo');
    const sent = collect('sent');
    const caught = collect('caught');
    const phone = [];
    ismg.on('phone', (m) => phone.push(m));
    await ismg.injectMo({ from: '13800138000', to: '1069001', text: 'TD' });
    await until(() => mo.length === 1 && phone.length === 1, { what: 'the MO on the flow and the confirmation at the phone' });
    assert.equal(phone[0].text, 'Unsubscribed.');
    helper.getNode('smppSend').receive({ payload: 'alert', to: '+8613800138000' });
    await until(() => caught.length === 1, { what: 'the refusal' });
    assert.equal(caught[0].error.code, 'SMS_OPTED_OUT');
    assert.equal(smsc.record.submits.length, 0);

    helper.getNode('smppSend').receive({ action: 'optOuts' });
    await until(() => sent.length === 1, { what: 'the list' });
    assert.deepEqual(sent[0].payload.map((e) => [e.number, e.how, e.via]), [['13800138000', 'keyword TD', 'cmpp']]);
    helper.getNode('smppSend').receive({ action: 'optIn', to: '13800138000' });
    await until(() => sent.length === 2, { what: 'opted in' });
    assert.deepEqual(sent[1].payload, [{ number: '13800138000', removed: true }]);
    helper.getNode('smppSend').receive({ payload: 'alert', to: '+8613800138000' });
    await until(() => sent.length === 3, { what: 'sent again' });
    assert.equal(sent[2].payload.ok, true);
  });

  it('the limit counts every node of the policy: 5 by CMPP, SMPP and the route, the 6th SMS_RATE_LIMITED with nextAt', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    const sent = collect('sent');
    const caught = collect('caught');
    const by = ['submit', 'smppSend', 'routeSend', 'submit', 'smppSend', 'routeSend'];
    for (const [i, id] of by.entries()) {
      helper.getNode(id).receive({ payload: `reading ${i}`, to: '13900139000' });
      await until(() => sent.length + caught.length === i + 1, { what: `outcome ${i}` });
    }
    assert.equal(sent.length, 5);
    assert.equal(caught[0].error.code, 'SMS_RATE_LIMITED');
    assert.match(caught[0].payload, /reading 5/);
    assert.match(caught[0].error.message, /the next may go at \d{4}-\d\d-\d\dT/);
    helper.getNode('routeSend').receive({ payload: 'fire', to: '13900139000', priority: 'urgent' });
    await until(() => sent.length === 6, { what: 'the urgent one' });
  });

  it('the editor reads, changes and downloads the opt-out list; a policy that is not deployed says so', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    const server = helper.request();
    await server.post('/smsflow/policy/policy/optouts').send({ number: '+886912345678' }).expect(200);
    const list = await server.get('/smsflow/policy/policy/optouts').expect(200);
    assert.deepEqual(list.body.list.map((e) => [e.number, e.how]), [['+886912345678', 'editor']]);
    const csv = await server.get('/smsflow/policy/policy/optouts.csv').expect(200);
    assert.match(csv.headers['content-type'], /text\/csv/);
    assert.match(csv.text, /^number,opted_out_at,how,via\r\n\+886912345678,.*,editor,\r\n$/);
    await server.post('/smsflow/policy/policy/optouts').send({ number: '0912345678', action: 'optIn' }).expect(200, { removed: true });
    const missing = await server.get('/smsflow/policy/nope/optouts').expect(404);
    // The test helper loads no node catalogue: the key stands for the text.
    assert.match(missing.body.error, /not deployed|sms-policy\.errors\.notDeployed/);
  });

  it('sms status answers what became of a message: by its result, its correlation, a carrier id; SMS_NOT_FOUND at the Catch node when none; the sidebar searches the history, numbers cut short', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1, { what: 'logged in' });
    const sent = collect('sent');
    const caught = collect('caught');
    const statuses = collect('statuses');
    helper.getNode('submit').receive({ payload: 'Boiler 3: temperature high', to: '13800138000', correlation: { alarm: 'boiler-3' }, registeredDelivery: true });
    await until(() => sent.length === 1, { what: 'the send result' });
    const result = sent[0].payload;
    let asked = 0;
    const ask = async (msg) => {
      const question = ++asked;
      helper.getNode('status').receive({ ...msg, question });
      const answer = () => statuses.find((m) => m.question === question) ?? caught.find((m) => m.question === question);
      await until(() => answer(), { what: `the answer to question ${question}` });
      return answer();
    };
    await until(async () => (await ask({ payload: result })).payload.state === 'delivered', { what: 'the report in the history' });
    const byCorrelation = (await ask({ correlation: { alarm: 'boiler-3' } })).payload;
    assert.equal(byCorrelation.key, result.key);
    assert.deepEqual(byCorrelation.correlation, { alarm: 'boiler-3' });
    assert.equal(byCorrelation.recipients[0].report.detail, 'DELIVRD');
    assert.equal(byCorrelation.recipients[0].parts[0].id, result.results[0].id);
    assert.equal((await ask({ id: result.results[0].id })).payload.key, result.key);
    assert.equal((await ask({ payload: result.key })).payload.key, result.key);
    const missing = await ask({ key: 'no-such-key' });
    assert.equal(missing.error.code, 'SMS_NOT_FOUND');
    // (the test helper's RED._ gives the key; a real runtime's words are checked in error-language)
    assert.equal(missing.error.message, 'sms-status.errors.notFound');
    const nothing = await ask({ payload: 42 });
    assert.deepEqual([nothing.error.code, nothing.error.message], ['SMS_FIELD', 'sms-status.errors.noQuery']);

    // A copy is suppressed: its status says so, and the sidebar counts it.
    helper.getNode('submit').receive({ payload: 'Boiler 3: temperature high', to: '13800138000', correlation: { alarm: 'boiler-3' } });
    await until(() => caught.some((m) => m.error.code === 'SMS_DUPLICATE'), { what: 'the copy refused' });
    const [both, copy] = [await ask({ correlation: { alarm: 'boiler-3' } }), caught.find((m) => m.error.code === 'SMS_DUPLICATE')];
    assert.deepEqual(both.statuses.map((st) => st.state), ['suppressed', 'delivered']);
    assert.equal(copy.error.code, 'SMS_DUPLICATE');
    const get = (p) => helper.request().get(p).expect(200).then((r) => r.body);
    const [listed] = await get('/smsflow/policies');
    assert.deepEqual([listed.id, listed.name, listed.counters.suppressed], ['policy', 'alerts', 1]);
    const found = await get('/smsflow/policy/policy/history?q=13800138000');
    assert.deepEqual(found.map((m) => [m.state, m.to]), [['suppressed', ['••••••••000']], ['delivered', ['••••••••000']]]);
    assert.equal(found[1].text, 'Boiler 3: temperatur…');
    assert.equal(found[1].correlation, undefined);
    assert.deepEqual(await get('/smsflow/policy/policy/history?q=13900000000'), []);
  });

  it('a connection naming a policy that is gone says so and sends without it', async () => {
    const f = flow(ismg.port, smsc.port).filter((n) => n.type !== 'sms-policy');
    await helper.load(nodes, f, CREDENTIALS);
    await until(() => ismg.sessions === 1, { what: 'logged in' });
    const sent = collect('sent');
    helper.getNode('submit').receive({ payload: 'x', to: '13800138000' });
    await until(() => sent.length === 1, { what: 'sent' });
    const warned = helper.log().args.map((a) => a[0]).filter((e) => e.id === 'cmpp' && /not in the flow any more; messages go without it|sms-policy\.errors\.missing/.test(e.msg));
    assert.equal(warned.length, 1);
  });
});
