'use strict';
// npm run mutate: does the suite catch a bug? A fixed list of one-line
// mutations of the core, each applied in turn to the built code (dist/), the
// tests that should catch it run against it, and the file put back. Each
// mutation must make at least one of its tests fail; the script prints how
// many did and exits 1 if any survived. Not part of npm test (it runs the
// chosen tests once per mutation: a few minutes).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = (file) => path.join(root, 'dist', 'src', file);

/** [what it breaks, built file, the line as built, the mutated line, the tests that should see it] */
const MUTATIONS = [
  ['Msg_Id byte order', 'cmpp/msgid.js', 'out.writeBigUInt64BE(toBigInt(String(id)));', 'out.writeBigUInt64LE(toBigInt(String(id)));', ['test/unit/cmpp-codec.test.js', 'test/unit/cmpp-fixtures.test.js']],
  ['GSM 7-bit extension table (| is 1B 40)', 'text/gsm7.js', "[0x40, '|'],", "[0x40, '!'],", ['test/unit/gsm7.test.js']],
  ['reference rolling (each long message a new reference)', 'text/references.js', 'this.next.set(key, value + 1);', 'this.next.set(key, value);', ['test/unit/segmenter.test.js', 'test/unit/udh.test.js']],
  ['receipt id forms (hex read as decimal)', 'smpp/receipt.js', 'forms.push(BigInt(`0x${plain}`).toString());', 'forms.push(plain);', ['test/unit/smpp-codec.test.js', 'test/e2e/smpp.test.js']],
  ['the outbox delete (answered parts kept)', 'store/sqlite.js', 'st.delOutbox.run(key);', 'void key;', ['test/e2e/store-edges.test.js', 'test/e2e/store-sqlite.test.js']],
  ['report combining (a delivered part counted failed)', 'tracking/reports.js', 'delivered++;', 'failed++;', ['test/unit/reports.test.js']],
  ['segment capacity after a header (septets rounded down)', 'text/targets.js', 'rule.withHeader - Math.ceil((udhOctets * 8) / 7)', 'rule.withHeader - Math.floor((udhOctets * 8) / 7)', ['test/unit/segmenter.test.js']],
  ['IMSP msg_dcs of GSM text (3)', 'text/targets.js', 'gsm7: septets(3),', 'gsm7: septets(1),', ['test/e2e/imsp.test.js']],
  ['the window (one request more than W)', 'link/link.js', 'this.inflight.size < this.options.window', 'this.inflight.size <= this.options.window', ['test/e2e/cmpp.test.js', 'test/e2e/smpp.test.js']],
  ["a 16-bit reference's byte order", 'text/udh.js', 'out[3] = c.reference >> 8;', 'out[3] = c.reference & 0xff;', ['test/unit/udh.test.js', 'test/unit/segmenter.test.js']],
  ['Msg_Id + i for the i-th number of a mass submit', 'cmpp/msgid.js', 'const sequence = (value + BigInt(offset)) & 0xffffn;', 'const sequence = value & 0xffffn;', ['test/unit/cmpp-codec.test.js', 'test/e2e/cmpp.test.js']],
];

function mocha(files) {
  const bin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  return spawnSync(process.execPath, [bin, '--no-config', '--timeout', '20000', '--exit', '--reporter', 'dot', ...files], { cwd: root, encoding: 'utf8' });
}

function main() {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  let caught = 0;
  const rows = [];
  for (const [what, file, from, to, tests] of MUTATIONS) {
    const target = dist(file);
    const original = fs.readFileSync(target, 'utf8');
    const at = original.indexOf(from);
    if (at < 0 || original.indexOf(from, at + 1) >= 0) {
      rows.push([what, 'the line is not in the build once: update the list']);
      continue;
    }
    fs.writeFileSync(target, original.slice(0, at) + to + original.slice(at + from.length));
    try {
      const run = mocha(tests);
      const failing = /(\d+) failing/.exec(run.stdout)?.[1];
      const found = run.status !== 0;
      if (found) caught++;
      rows.push([what, found ? `caught (${failing ?? 'the run'} failing in ${tests.join(', ')})` : `SURVIVED ${tests.join(', ')}`]);
    } finally {
      fs.writeFileSync(target, original);
    }
  }
  for (const [what, verdict] of rows) console.log(`${what.padEnd(58)} ${verdict}`);
  console.log(`\n${caught} of ${MUTATIONS.length} mutations caught`);
  process.exit(caught === MUTATIONS.length ? 0 : 1);
}

main();
