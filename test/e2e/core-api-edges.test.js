'use strict';
// The core API at its edges, the same on every channel: an option given as
// undefined keeps its default (it does not stop every send or lift a
// bound), and a report listener that throws is an 'error' event, never an
// unhandled rejection.
const assert = require('node:assert/strict');
const { cmpp, smpp, imsp, modem } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');

describe('options given as undefined keep their defaults', function () {
  this.timeout(15000);

  it('CMPP: { window: undefined, maxQueue: undefined, reconnect: { maxMs: undefined } } sends, and the queue stays bounded', async () => {
    const sim = new testing.IsmgSimulator({});
    const port = await sim.start();
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', window: undefined, maxQueue: undefined, queueTimeoutMs: undefined, reconnect: { initialMs: 20, maxMs: undefined }, flowControl: { retries: undefined } });
    c.on('error', () => undefined);
    try {
      await c.start();
      assert.equal((await c.send({ to: '13800138000', payload: 'settled' })).ok, true);
      const o = c.session.options;
      assert.deepEqual([o.window, o.maxQueue, o.queueTimeoutMs, o.reconnect.maxMs, o.flowControl.retries], [16, 10000, 60000, 30000, 20]);
    } finally {
      await c.close();
      await sim.stop();
    }
  });

  it('SMPP: { window: undefined, maxQueue: undefined } sends, with the documented defaults', async () => {
    const sim = new testing.SmscSimulator({});
    const port = await sim.start();
    const c = new smpp.SmppClient({ host: '127.0.0.1', port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', window: undefined, maxQueue: undefined, responseTimeoutMs: undefined });
    c.on('error', () => undefined);
    try {
      await c.start();
      assert.equal((await c.send({ to: '886912345678', payload: 'settled' })).ok, true);
      assert.deepEqual([c.session.options.window, c.session.options.maxQueue, c.session.options.responseTimeoutMs], [10, 10000, 30000]);
    } finally {
      await c.close();
      await sim.stop();
    }
  });

  it('IMSP and the modem: undefined timeouts and waits keep their defaults', () => {
    const i = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', timeoutMs: undefined, method: undefined, polling: { maxMs: undefined } });
    assert.deepEqual([i.options.timeoutMs, i.options.method, i.polling.maxMs], [30000, 'POST', 300000]);
    i.close();
    const m = new modem.Modem({ port: 'tcp://127.0.0.1:1', commandTimeoutMs: undefined, queueTimeoutMs: undefined, reopen: { maxMs: undefined } });
    assert.deepEqual([m.options.commandTimeoutMs, m.options.queueTimeoutMs, m.options.reopen.maxMs], [10000, 60000, 30000]);
  });
});

describe('a report listener that throws', function () {
  this.timeout(15000);

  it('IMSP: is an error event, the next report still comes, and nothing is an unhandled rejection', async () => {
    const sim = new testing.ImspSimulator({ deliverAfterMs: 20 });
    await sim.start();
    const c = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', baseUrl: sim.baseUrl, ca: sim.certificate.cert, polling: { initialMs: 20, maxMs: 40 } });
    const unhandled = [];
    const onUnhandled = (err) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const errors = [];
    const reports = [];
    c.on('error', (err) => errors.push(err));
    c.on('report', (r) => {
      reports.push(r);
      throw new Error('a bug in the flow\'s listener');
    });
    try {
      await c.send({ to: '0912345678', payload: 'first', track: true });
      await c.send({ to: '0912345678', payload: 'second', track: true });
      await until(() => reports.length === 2, { what: 'both reports' });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(errors.map((e) => e.message), ['a bug in the flow\'s listener', 'a bug in the flow\'s listener']);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      c.close();
      await sim.stop();
    }
  });
});
