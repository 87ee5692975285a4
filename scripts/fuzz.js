'use strict';
// npm run fuzz [-- --count N --seed S]: a long fuzz run of every decoder and
// parser (100,000 inputs each by default), printing what each input came to.
const { targets, fuzz } = require('../test/support/fuzz-targets');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = arg('count', 100000);
const seed = arg('seed', Math.floor(Math.random() * 2 ** 31));

(async () => {
  let crashes = 0;
  console.log(`fuzz: ${count} inputs per target, seed ${seed}`);
  for (const name of Object.keys(targets)) {
    const started = Date.now();
    const report = await fuzz(name, count, seed);
    crashes += report.crashes;
    const kinds = [...report.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`\n${name}: ${report.count} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, slowest ${report.slowestMs.toFixed(1)} ms`);
    console.log(`  ${kinds}`);
    for (const f of report.failures) console.log(`  failure at input ${f.input}: ${f.error}`);
  }
  console.log(`\n${crashes === 0 ? 'no failures' : `${crashes} failures`} (replay with --seed ${seed})`);
  process.exitCode = crashes ? 1 : 0;
})();
