'use strict';
// A restart on a store that kept messages, with the flow sending the moment
// the client starts (an inject "once at start", an MQTT broker handing over
// what it held): the new messages must not take the ids of the kept ones.
const assert = require('node:assert/strict');
const { cmpp } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('./wait');
const { freePort } = require('./node-red-process');

/**
 * `makeStore()` gives a store on the same file or prefix each time. Five
 * messages wait in it behind an absent gateway; the next client sends three
 * more before its start has read the store. All eight are sent once each,
 * the kept ones first, and each gets one outcome.
 */
async function sendsAtStart(makeStore) {
  const port = await freePort();
  const client = () => {
    const s = makeStore();
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', store: s, reconnect: { initialMs: 20, maxMs: 50 }, queueTimeoutMs: 0 });
    c.on('error', () => undefined);
    return { c, s };
  };
  const first = client();
  first.c.start().catch(() => undefined);
  for (let i = 0; i < 5; i++) first.c.send({ to: `1390000000${i}`, payload: `kept ${i}`, correlation: { n: i }, origin: 'node-1' }).catch(() => undefined);
  await first.c.recovery;
  await until(() => first.c.session.depth === 5);
  await first.c.close();
  await first.s.close();

  const sim = new testing.IsmgSimulator({ port });
  await sim.start();
  const second = client();
  const carried = [];
  second.c.on('carried', (c) => carried.push(c));
  second.c.start().catch(() => undefined);
  // In the same turn as start(): the store has not been read yet.
  const fresh = await Promise.all([0, 1, 2].map((i) => second.c.send({ to: `1380000000${i}`, payload: `new ${i}` })));
  await until(() => carried.length === 5, { what: 'the 5 kept messages\' outcomes' });
  try {
    assert.ok(fresh.every((r) => r.ok && !r.carriedOver));
    assert.deepEqual(carried.map((c) => [c.correlation.n, c.result.ok]).sort(), [0, 1, 2, 3, 4].map((n) => [n, true]), 'each kept message sent, not lost');
    const texts = sim.record.submits.map((s) => s.body.msgContent.toString());
    assert.deepEqual(texts, ['kept 0', 'kept 1', 'kept 2', 'kept 3', 'kept 4', 'new 0', 'new 1', 'new 2'], 'each sent once, the kept ones first');
  } finally {
    await second.c.close();
    await second.s.close();
    await sim.stop();
  }
}

module.exports = { sendsAtStart };
