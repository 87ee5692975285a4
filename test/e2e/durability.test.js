'use strict';
// Durability the hard way: a real Node-RED process with this package and a
// flow that writes every outcome and every delivery report to files; 1,000
// messages queued behind a gateway (CMPP or SMPP) that is not there; then
// `kill -9` (or a full deploy), the gateway back, Node-RED started again on the same user
// directory (and, for the Redis store, the same redis-server). Every message must end with exactly one outcome, and every
// report that comes afterwards must be matched with its correlation.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { NodeRedProcess, freePort } = require('../support/node-red-process');
const { until } = require('../support/wait');
const { durableFlow, lines, storedOutbox, toFile } = require('../support/durable-flow');
const { hasRedis, startRedis } = require('../support/redis');
const { needTool } = require('../support/tools');

const COUNT = 1000;

function assertEveryMessageOnce(results, label) {
  const byN = new Map();
  for (const r of results) byN.set(r.n, (byN.get(r.n) ?? 0) + 1);
  const missing = Array.from({ length: COUNT }, (_, i) => i).filter((n) => !byN.has(n));
  const doubled = [...byN].filter(([, c]) => c > 1).map(([n]) => n);
  assert.deepEqual({ missing: missing.length, doubled: doubled.length }, { missing: 0, doubled: 0 }, `${label}: missing ${missing.slice(0, 5)}, doubled ${doubled.slice(0, 5)}`);
}

describe('durability: a real Node-RED process, its store on disk', function () {
  this.timeout(120000);
  let red;
  let sim;
  let dir;
  let stopRedis;
  afterEach(async () => {
    await red?.dispose();
    await sim?.stop();
    await stopRedis?.();
    stopRedis = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    red = undefined;
    sim = undefined;
  });

  for (const [protocol, how, kind] of [
    ['cmpp', 'kill -9', 'sqlite'],
    ['cmpp', 'full deploy', 'sqlite'],
    ['smpp', 'kill -9', 'sqlite'],
    ['cmpp', 'kill -9', 'redis'],
  ]) {
    it(`${protocol.toUpperCase()}: ${how} with ${COUNT} messages queued behind an absent gateway${kind === 'redis' ? ', Redis store' : ''}: each gets one outcome afterwards, every report matched`, async function () {
      let stored = () => storedOutbox(red.userDir);
      let connection = {};
      if (kind === 'redis') {
        needTool(this, hasRedis, 'redis-server');
        const redis = await startRedis();
        const { createClient } = require('@redis/client');
        const probe = createClient({ url: redis.url });
        probe.on('error', () => undefined);
        await probe.connect();
        stopRedis = async () => (await probe.close(), await redis.stop());
        connection = { store: 'redis', redisUrl: redis.url };
        stored = async () => {
          const keys = await probe.keys('smsflow:cmpp:*:outbox:*');
          return keys.length ? probe.hLen(keys[0]) : 0;
        };
      }
      red = await NodeRedProcess.create();
      dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-out-'));
      const gatewayPort = await freePort();
      const flow = durableFlow(dir, gatewayPort, connection, protocol);
      await red.start();
      await red.deploy(flow);
      assert.equal(await red.request('POST', `/send?n=${COUNT}&from=0`, {}), `queued ${COUNT}`);
      await until(async () => (await stored()) === COUNT, { timeoutMs: 15000, what: `${COUNT} messages in the ${kind} store` });
      assert.deepEqual(lines(path.join(dir, 'results.jsonl')), [], 'no outcome yet: the gateway is not there');

      if (how === 'kill -9') {
        await red.kill('SIGKILL');
      } else {
        await red.deploy(flow);
      }
      sim = protocol === 'cmpp' ? new testing.IsmgSimulator({ port: gatewayPort, reportDelayMs: 20, lean: false }) : new testing.SmscSimulator({ port: gatewayPort, reportDelayMs: 20 });
      await sim.start();
      if (how === 'kill -9') await red.start();

      await until(() => lines(path.join(dir, 'results.jsonl')).length >= COUNT, { timeoutMs: 60000, what: `${COUNT} outcomes` });
      const results = lines(path.join(dir, 'results.jsonl'));
      assertEveryMessageOnce(results, 'outcomes');
      assert.ok(
        results.every((r) => r.ok && r.carried),
        `every outcome ok and flagged carried over: ${JSON.stringify(results.find((r) => !r.ok || !r.carried))}`,
      );
      assert.equal(sim.record.submits.length, COUNT, 'each sent once: nothing had left before');

      await until(() => lines(path.join(dir, 'reports.jsonl')).length >= COUNT, { timeoutMs: 60000, what: `${COUNT} reports` });
      const reports = lines(path.join(dir, 'reports.jsonl'));
      assert.ok(
        reports.every((r) => r.matched && r.status === 'delivered'),
        'every report matched',
      );
      assertEveryMessageOnce(reports, 'reports');
    });
  }

  for (const how of ['kill -9', 'full deploy']) {
    it(`CMPP: 12,000 queued, past the 10,000 kept in memory each msg is let go once the file has it; ${how}: each gets one outcome afterwards, sent in order`, async () => {
      const total = 12000;
      red = await NodeRedProcess.create();
      dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-out-'));
      const gatewayPort = await freePort();
      const completed = path.join(dir, 'completed.jsonl');
      const flow = [
        ...durableFlow(dir, gatewayPort, { queueSize: 20000, queueTimeout: 0 }),
        // A Complete node hears each msg the send node has let go of: parked in the file, or given its outcome.
        { id: 'completed', z: 'tab', type: 'complete', scope: ['submit'], wires: [['completed-fmt']] },
        ...toFile('completed', completed, 'msg.payload = JSON.stringify({ n: msg.correlation.n }); return msg;'),
      ];
      await red.start();
      await red.deploy(flow);
      await red.request('POST', `/send?n=${total}&from=0`, {});
      await until(() => storedOutbox(red.userDir) === total, { timeoutMs: 30000, what: `${total} messages in the file` });
      await until(() => lines(completed).length >= total - 10000, { timeoutMs: 30000, what: 'the parked msgs let go' });
      assert.deepEqual(
        lines(completed).map((c) => c.n),
        Array.from({ length: total - 10000 }, (_, i) => 10000 + i),
        'the first 10,000 wait in memory with their msgs; each one after is let go',
      );
      assert.deepEqual(lines(path.join(dir, 'results.jsonl')), [], 'no outcome yet: the gateway is not there');
      if (how === 'kill -9') await red.kill('SIGKILL');
      else await red.deploy(flow);
      sim = new testing.IsmgSimulator({ port: gatewayPort, lean: false });
      await sim.start();
      if (how === 'kill -9') await red.start();
      await until(() => lines(path.join(dir, 'results.jsonl')).length >= total, { timeoutMs: 60000, everyMs: 100, what: `${total} outcomes` });
      const results = lines(path.join(dir, 'results.jsonl'));
      const byN = new Map();
      for (const r of results) byN.set(r.n, (byN.get(r.n) ?? 0) + 1);
      assert.equal(byN.size, total, 'each message an outcome');
      assert.ok(
        [...byN.values()].every((c) => c === 1),
        'none two',
      );
      assert.ok(results.every((r) => r.ok && r.carried));
      const sent = sim.record.submits.map((x) => Number(x.body.msgContent.toString().slice(6)));
      assert.deepEqual(
        sent,
        Array.from({ length: total }, (_, i) => i),
        'each sent once, in the order accepted',
      );
    });
  }

  it('CMPP: kill -9 while messages are being answered: no message has two outcomes, and nothing with an outcome is sent again', async () => {
    const total = 500;
    red = await NodeRedProcess.create();
    dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-out-'));
    sim = new testing.IsmgSimulator({ reportDelayMs: 20, lean: false });
    const gatewayPort = await sim.start();
    // 250 a second: the kill lands while answers and commits follow each other.
    const flow = durableFlow(dir, gatewayPort, { rate: 250 });
    await red.start();
    await red.deploy(flow);
    await red.request('POST', `/send?n=${total}&from=0`, {});
    await until(() => lines(path.join(dir, 'results.jsonl')).length >= 150, { timeoutMs: 30000, what: '150 outcomes' });
    await red.kill('SIGKILL');
    const before = new Set(lines(path.join(dir, 'results.jsonl')).map((r) => r.n));
    const sentBefore = sim.record.submits.length;
    await red.start();
    const outcomes = () => new Set(lines(path.join(dir, 'results.jsonl')).map((r) => r.n));
    // An outcome the send node gave in the moment of the kill, still on its way through Node-RED to the
    // function node that writes it, is lost with the process (Node-RED's own message passing keeps nothing).
    // Every other message gets its outcome.
    await until(() => outcomes().size >= total, { timeoutMs: 15000, what: 'every outcome' }).catch(() => undefined);
    await until(() => sim.record.submits.length >= total, { timeoutMs: 30000, what: 'every message at the gateway' });
    const results = lines(path.join(dir, 'results.jsonl'));
    const byN = new Map();
    for (const r of results) byN.set(r.n, (byN.get(r.n) ?? 0) + 1);
    const doubled = [...byN].filter(([, c]) => c > 1).map(([n]) => n);
    assert.deepEqual(doubled, [], 'no message came out twice');
    assert.ok(
      results.every((r) => r.ok),
      JSON.stringify(results.find((r) => !r.ok)),
    );
    // The outcomes the node gave in the last moments before the kill may still be on their way to the function
    // node that writes them: how many depends on how long a loaded machine keeps Node-RED from passing them on
    // (21 at 250 a second was seen on CI), so the bound is a quarter of a second's worth, far below what a lost
    // write would cost. What matters is below: each of those reached the gateway exactly once before the kill,
    // and the restart neither sent it again nor carried it over (the node had settled it).
    const missing = Array.from({ length: total }, (_, i) => i).filter((n) => !byN.has(n));
    assert.ok(missing.length <= 64, `outcomes not written: ${missing.length} (${missing.slice(0, 8)})`);
    const times = (n) => sim.record.submits.filter((x) => x.body.msgContent.toString() === `alert ${n}`).length;
    assert.deepEqual(
      missing.filter((n) => times(n) !== 1 || sim.record.submits.slice(sentBefore).some((x) => x.body.msgContent.toString() === `alert ${n}`)),
      [],
      'a message without a written outcome was at the gateway once, before the kill',
    );
    // At-least-once: what had left and not yet had its outcome is sent again after the restart; nothing that had one is.
    const resent = sim.record.submits
      .slice(sentBefore)
      .map((x) => Number(x.body.msgContent.toString().slice(6)))
      .filter((n) => sim.record.submits.slice(0, sentBefore).some((x) => x.body.msgContent.toString() === `alert ${n}`));
    assert.deepEqual(
      resent.filter((n) => before.has(n)),
      [],
      'a message whose outcome was given before the kill was not sent again',
    );
    assert.ok(before.size < total, 'the kill came before the end');
  });
});
