'use strict';
// Several CMPP links for one account: sends spread over the links that are
// up, each within its own rate; a link that drops hands its work to the
// others; reports and messages from any link reach the one tracker.
const assert = require('node:assert/strict');
const { cmpp } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');

const SP = { spId: '901234', sharedSecret: 'secret' };

describe('CMPP: several links per account', function () {
  this.timeout(30000);
  let sim;
  let client;
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
  });

  async function setup(options, simOptions = {}) {
    sim = new testing.IsmgSimulator({ reportDelayMs: 20, ...simOptions });
    const port = await sim.start();
    client = new cmpp.CmppClient({ host: '127.0.0.1', port, ...SP, reconnect: { initialMs: 20, maxMs: 50 }, ...options });
    client.on('error', () => undefined);
    await client.start();
    await until(() => client.session.linksUp === (options.links ?? 1), { what: 'every link up' });
  }

  // The rate each link keeps is shown on the bucket's own accounting, with a clock the test moves
  // (test/unit/link-rate.test.js): counting SUBMITs per wall-clock second here would measure the machine's load.
  it('4 links at 200/s each: the sends spread over all four, every message once', async () => {
    await setup({ links: 4, ratePerLink: 200, maxQueue: 5000 });
    const results = await Promise.all(Array.from({ length: 1600 }, (_, i) => client.send({ to: '13800138000', payload: `m${i}` })));
    assert.ok(results.every((r) => r.ok));
    const byLink = new Map();
    for (const s of sim.record.submits) byLink.set(s.link, (byLink.get(s.link) ?? 0) + 1);
    assert.equal(byLink.size, 4, 'every link carried some');
    assert.equal(sim.record.submits.length, 1600, 'each once');
    assert.equal(new Set(sim.record.submits.map((s) => s.body.msgContent.toString())).size, 1600);
  });

  it('a link that drops hands its work to the others; nothing is lost', async () => {
    await setup({ links: 2, responseTimeoutMs: 300 }); // what the gateway held back is asked again soon
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 20 }, (_, i) => client.send({ to: '13800138000', payload: `w${i}` }));
    await until(() => sim.record.submits.length === 20, { what: 'twenty in flight' });
    assert.equal(new Set(sim.record.submits.map((s) => s.link)).size, 2, 'spread over both links');
    sim.faults.withholdResponses = false;
    const [first] = sim.links;
    first.socket.destroy(); // one link drops
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.ok), 'every message answered, on the link that stayed or the one that came back');
  });

  it('reports from any link reach the one tracker, with the correlation', async () => {
    await setup({ links: 2 }, { reportLink: 'other' });
    const reports = [];
    client.on('report', (r) => reports.push(r));
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.send({ to: '13800138000', payload: `r${i}`, registeredDelivery: true, correlation: { n: i } })));
    await until(() => reports.length === 50, { what: 'fifty reports' });
    assert.ok(reports.every((r) => r.matched));
    assert.deepEqual(reports.map((r) => r.correlation.n).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  });
});
