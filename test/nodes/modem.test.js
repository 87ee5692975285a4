'use strict';
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const { until } = require('../support/wait');
const { modem } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const nodes = ['modem-port', 'modem-pdu'].map((n) => require(`../../dist/nodes/${n}.js`));

const next = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

describe(`modem nodes (Node-RED ${runtimeVersion()}) against virtual modems over TCP`, function () {
  let network;
  let ports;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    network = new testing.VirtualNetwork({ reportDelayMs: 10 });
    ports = { a: await network.modem('+886911111111', { pin: '0000' }).listen(), b: await network.modem('+886922222222').listen() };
  });
  afterEach(async () => {
    await helper.unload();
    network.stop();
  });

  function flow() {
    return [
      { id: 'tab', type: 'tab', label: 'modem' },
      { id: 'portA', type: 'modem-port', port: `tcp://127.0.0.1:${ports.a}`, baudRate: 115200, smsc: '', reopenMax: 1, signalInterval: 60 },
      { id: 'portB', type: 'modem-port', port: `tcp://127.0.0.1:${ports.b}`, baudRate: 115200, smsc: '', reopenMax: 1, signalInterval: 60 },
      { id: 'sendA', z: 'tab', type: 'modem-pdu', modem: 'portA', to: '+886922222222', encoding: 'auto', statusReport: true, validity: '', receive: true, wires: [['result'], [], ['reports']] },
      { id: 'nodeB', z: 'tab', type: 'modem-pdu', modem: 'portB', to: '', encoding: 'auto', statusReport: false, validity: '', receive: true, wires: [[], ['inbox'], []] },
      { id: 'result', z: 'tab', type: 'helper' },
      { id: 'inbox', z: 'tab', type: 'helper' },
      { id: 'reports', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
  }

  it('refuses a second modem-port on a modem that one already holds, naming it, and the first keeps its line (no reopening back and forth)', async () => {
    const second = { id: 'portA2', type: 'modem-port', name: 'copy of A', port: `tcp://127.0.0.1:${ports.a}`, baudRate: 115200, smsc: '', reopenMax: 1, signalInterval: 60 };
    const other = { id: 'sendA2', z: 'tab', type: 'modem-pdu', modem: 'portA2', to: '+886922222222', encoding: 'auto', statusReport: false, validity: '', receive: true, wires: [[], [], []] };
    await helper.load(nodes, [...flow().map((n) => (n.id === 'portA' ? { ...n, name: 'modem A' } : n)), second, other], { portA: { pin: '0000' }, portA2: { pin: '0000' } });
    const caught = next('caught');
    helper.getNode('sendA2').receive({ payload: 'x' });
    const msg = await caught;
    assert.equal(msg.error.code, 'MODEM_OPEN');
    assert.match(msg.error.message, /modem A|modem-port\.errors\.inUse/);
    const result = next('result');
    helper.getNode('sendA').receive({ payload: 'still mine' });
    assert.equal((await result).payload.ok, true);
    const reopened = helper.log().args.filter((a) => /reopening/.test(JSON.stringify(a[0])));
    assert.deepEqual(reopened, [], 'the first modem-port was never knocked off');
  });

  it('a store folder that cannot be made: the status says so and the modem still sends', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-nr-'));
    fs.writeFileSync(path.join(userDir, 'smsflow'), 'a file where the store folder should be');
    await helper.loadIn(userDir, nodes, flow(), { portA: { pin: '0000' } });
    const shown = () => helper.getNode('sendA').status.args.map((a) => a[0]);
    await until(() => shown().some((s) => s.fill === 'red' && s.text === '@smsflow/node-red-sms/modem-port:modem-port.store.notWritable'), { what: 'the store status' });
    const result = next('result');
    helper.getNode('sendA').receive({ payload: 'Door 2 open' });
    assert.equal((await result).payload.ok, true);
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('logs a port outage once when it starts and once when it ends, however many reopen tries lie between', async () => {
    await helper.load(nodes, flow(), { portA: { pin: '0000' } });
    const vm = network.modems.get('886911111111');
    await until(() => vm.commands.includes('AT+CMGL=4'), { what: 'the modem to be set up' });
    vm.stop(); // the serial server goes away: every reopen fails for a while
    await new Promise((r) => setTimeout(r, 2500)); // reopen tries after 1 s and 2 s (at most 1 s apart)
    await vm.listen(ports.a);
    const portLogs = () => helper.log().args.map((a) => a[0]).filter((e) => e.id === 'portA').map((e) => String(e.msg));
    await until(() => portLogs().some((m) => m.includes('modem-port.log.up')), { timeoutMs: 8000, what: 'the port to be logged up again' });
    assert.equal(portLogs().filter((m) => m.includes('modem-port.warn.reopening')).length, 1, JSON.stringify(portLogs()));
    assert.equal(portLogs().filter((m) => m.includes('modem-port.log.up')).length, 1);
  });

  it('sends, receives the message joined at the other modem, and reports delivery with the correlation', async () => {
    await helper.load(nodes, flow(), { portA: { pin: '0000' } });
    const statuses = [];
    helper.getNode('sendA').on('call:status', (c) => statuses.push(c.args[0].text));
    await until(() => statuses.some((t) => t === '@smsflow/node-red-sms/modem-port:modem-port.status.signal|{"dbm":-71}'), { what: 'the ready status with the signal' });
    const text = 'Tank level low: 12%. '.repeat(10);
    const [result, inbox, report] = [next('result'), next('inbox'), next('reports')];
    helper.getNode('sendA').receive({ payload: text, correlation: { tank: 3 } });
    const [r, m, rep] = await Promise.all([result, inbox, report]);
    assert.deepEqual([r.payload.channel, r.payload.ok, r.payload.parts], ['modem', true, 2]);
    assert.deepEqual([m.payload, m.from, m.sms.parts], [text, '+886911111111', 2]);
    assert.deepEqual([rep.payload.status, rep.correlation], ['delivered', { tank: 3 }]);
  });

  it('reports a +CMS ERROR in words to a Catch node; the PIN never shows', async () => {
    await helper.load(nodes, flow(), { portA: { pin: '0000' } });
    await until(() => network.modems.get('886911111111').commands.includes('AT+CMGL=4'));
    network.modems.get('886911111111').faults.cmsError = 331;
    const statuses = [];
    helper.getNode('sendA').on('call:status', (call) => statuses.push(call.args[0]));
    const caught = next('caught');
    helper.getNode('sendA').receive({ payload: 'x' });
    const msg = await caught;
    assert.match(msg.error.message, /MODEM send to \+886922222222, part 1, failed: .*no network service/);
    await until(() => statuses.some((s) => s.fill === 'red' && s.shape === 'ring' && s.text === '@smsflow/node-red-sms/modem-pdu:modem-pdu.status.failed|{"code":"CMS_331"}'), { what: 'the same red ring as every channel' });
    assert.ok(!JSON.stringify(helper.log().args).includes('"0000"'));
  });
});
