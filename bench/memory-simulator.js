'use strict';
// The simulator for memory.bench.js, in a process of its own: it reports its
// port, then its heap (after a full collection) and RSS whenever asked.
const v8 = require('node:v8');
const vm = require('node:vm');
const testing = require('../dist/src/testing');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

async function main() {
  const sim = new testing.IsmgSimulator({ lean: true, reportDelayMs: 0 });
  const port = await sim.start();
  process.send({ port });
  process.on('message', async (message) => {
    if (message === 'measure') {
      gc();
      const m = process.memoryUsage();
      process.send({ heap: m.heapUsed, rss: m.rss });
    } else if (message === 'stop') {
      await sim.stop();
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
