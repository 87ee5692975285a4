'use strict';
// npm run bench: every *.bench.js in this folder, each printing its table.
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  console.log(`Node ${process.version}, ${require('node:os').cpus()[0].model}`);
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (process.argv.includes('--quick')) console.log('quick run: every measure shortened, to prove the benches run; not a measurement');
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort()) {
    if (only && !file.includes(only)) continue;
    await require(path.join(__dirname, file))();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
