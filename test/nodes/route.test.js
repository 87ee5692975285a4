'use strict';
// sms-route, sms send and sms receive in Node-RED over a CMPP connection and
// an SMPP connection to the package's simulators.
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const { until } = require('../support/wait');
const testing = require('../../dist/src/testing');
const nodes = ['cmpp-connection', 'smpp-connection', 'sms-route', 'sms-send', 'sms-receive'].map((n) => require(`../../dist/nodes/${n}.js`));

const STATUS = '@smsflow/node-red-sms/sms-route:sms-route.status.';

function flow(ismgPort, smscPort, routeExtra = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'route' },
    { id: 'cmpp', type: 'cmpp-connection', name: 'ISMG', configVersion: 2, host: '127.0.0.1', port: ismgPort, spId: '901234', srcId: '1069001', version: '3.0', reconnectMax: 1, store: 'memory' },
    { id: 'smpp', type: 'smpp-connection', name: 'SMSC', configVersion: 2, host: '127.0.0.1', port: smscPort, systemId: 'smppclient1', sourceAddr: 'ALERTS', reconnectMax: 1, store: 'memory' },
    {
      id: 'route',
      type: 'sms-route',
      name: 'alerts',
      configVersion: 2,
      rules: [{ prefixes: '', strategy: 'failover', channels: [{ channel: 'cmpp' }, { channel: 'smpp' }] }],
      failOverOn: '',
      failOverUncertain: false,
      revert: 60,
      ...routeExtra,
    },
    { id: 'send', z: 'tab', type: 'sms-send', configVersion: 2, route: 'route', to: '', encoding: 'auto', registeredDelivery: true, wires: [['sent']] },
    { id: 'receive', z: 'tab', type: 'sms-receive', configVersion: 2, route: 'route', wires: [['mo'], ['reports']] },
    { id: 'sent', z: 'tab', type: 'helper' },
    { id: 'mo', z: 'tab', type: 'helper' },
    { id: 'reports', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const next = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));
const CREDENTIALS = { cmpp: { sharedSecret: 'secret' }, smpp: { password: 'password' } };

describe(`sms route nodes (Node-RED ${runtimeVersion()}) over CMPP and SMPP`, function () {
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

  /** The texts the send node's status has shown. */
  function statuses(id) {
    const seen = [];
    const node = helper.getNode(id);
    const status = node.status.bind(node);
    node.status = (s) => {
      seen.push(s);
      return status(s);
    };
    return seen;
  }

  it('sends by the first channel, names it on the result and in the status, and brings the report back on sms receive', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    const seen = statuses('send');
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    await until(() => seen.some((s) => s.text === `${STATUS}via|{"via":"ISMG"}` && s.fill === 'green'), { what: 'the status "via ISMG"' });
    const sent = next('sent');
    const report = next('reports');
    helper.getNode('send').receive({ payload: 'Door 7 opened', to: '13800138000', topic: 'door', correlation: { door: 7 } });
    const msg = await sent;
    assert.deepEqual([msg.payload.channel, msg.payload.ok, msg.payload.via], ['route', true, 'ISMG']);
    assert.deepEqual(msg.payload.tries.map((t) => [t.channel, t.code]), [['ISMG', 0]]);
    const r = await report;
    assert.deepEqual([r.topic, r.correlation, r.payload.status, r.payload.to], ['door', { door: 7 }, 'delivered', '13800138000']);
    assert.equal(r.payload.correlation, undefined, 'the route\'s mark stays inside');
  });

  it('moves on to SMPP at once when the gateway is down, and says so in yellow', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    const seen = statuses('send');
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    await ismg.stop();
    await until(() => seen.some((s) => s.text === `${STATUS}via|{"via":"SMSC"}` && s.fill === 'yellow'), { what: 'the status "via SMSC" in yellow' });
    const sent = next('sent');
    helper.getNode('send').receive({ payload: 'Door 7 opened', to: '13800138000' });
    const msg = await sent;
    assert.deepEqual([msg.payload.ok, msg.payload.via, msg.payload.tries.length], [true, 'SMSC', 1]);
    await until(() => (smsc.inboxes.get('13800138000') ?? []).length === 1, { what: 'the SMS at the phone' });
  });

  it('passes a message from a phone on any channel to the first output', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    const mo = next('mo');
    await smsc.injectMo({ from: '447700900123', to: 'ALERTS', text: 'STOP' });
    const msg = await mo;
    assert.deepEqual([msg.payload, msg.from, msg.sms.channel], ['STOP', '447700900123', 'smpp']);
  });

  it('gives a Catch node the carrier\'s refusal, named by its channel (CMPP_13), without trying SMPP', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port), CREDENTIALS);
    await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
    ismg.faults.submitResult = 13;
    const caught = next('caught');
    helper.getNode('send').receive({ payload: 'x', to: '13800138000' });
    const msg = await caught;
    assert.equal(msg.error.code, 'CMPP_13');
    assert.match(msg.error.message, /route send to 13800138000 via ISMG, part 1, failed: Dest_terminal_Id error/);
    assert.equal(smsc.record.submits.length, 0, 'not tried on SMPP');
  });

  it('answers every msg with the fault of a route that names a channel no longer in the flow', async () => {
    await helper.load(nodes, flow(ismg.port, smsc.port, { rules: [{ prefixes: '', strategy: 'failover', channels: [{ channel: 'gone' }] }] }), CREDENTIALS);
    const caught = next('caught');
    helper.getNode('send').receive({ payload: 'x', to: '13800138000' });
    const msg = await caught;
    assert.equal(msg.error.code, 'SMS_FIELD');
    // The text is the locale's (the test helper loads no catalogs; Node-RED fills in the id).
    assert.match(msg.error.message, /gone|sms-route\.errors\.noChannel/);
  });

  describe('with its state in Redis', function () {
    const { needTool } = require('../support/tools');
    const { hasRedis, startRedis } = require('../support/redis');
    let redis;
    before(async function () {
      needTool(this, hasRedis, 'redis-server');
      redis = await startRedis();
    });
    after(async () => redis?.stop());

    it('writes a channel\'s failure where the other instances read it, under the route\'s id', async () => {
      await helper.load(nodes, flow(ismg.port, smsc.port, { state: 'redis', redisUrl: redis.url }), CREDENTIALS);
      await until(() => ismg.sessions === 1 && smsc.bound === 1, { what: 'both logged in' });
      await ismg.stop();
      const { createClient } = require('@redis/client');
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        let failed = {};
        await until(async () => {
          failed = await client.hGetAll('smsflow:route:route:failed');
          return failed.cmpp !== undefined;
        }, { what: 'the failure of the CMPP channel in Redis' });
        assert.deepEqual(Object.keys(failed), ['cmpp']);
        const sent = next('sent');
        helper.getNode('send').receive({ payload: 'x', to: '13800138000' });
        assert.equal((await sent).payload.via, 'SMSC');
      } finally {
        await client.close();
      }
    });
  });
});
