'use strict';
// npm run bench: every *.bench.js in this folder, each printing its table.
// Each bench runs in a process of its own, so that what one leaves on the
// heap (a million sends, a Node-RED process's sockets) does not slow the next.
// The collector is exposed (global.gc) for a bench to settle the heap its
// setup made before it measures.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const one = process.argv.indexOf('--one');
  if (one >= 0) {
    await require(path.join(__dirname, process.argv[one + 1]))();
    return;
  }
  console.log(`Node ${process.version}, ${require('node:os').cpus()[0].model}`);
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  if (flags.includes('--quick')) console.log('quick run: every measure shortened, to prove the benches run; not a measurement');
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort()) {
    if (only && !file.includes(only)) continue;
    const { status } = spawnSync(process.execPath, ['--expose-gc', __filename, '--one', file, ...flags], { stdio: 'inherit' });
    if (status !== 0) throw new Error(`${file} failed (exit ${status})`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
