'use strict';
// Measures operations per second of functions side by side: rounds alternate
// between the contenders so that both see the same machine state, and the
// median round counts. `--quick` (QUICK below) shortens every measure: a
// smoke run that proves the benches still run, not a measurement.

const QUICK = process.argv.includes('--quick');
/** a measure's length, shortened in a quick run */
const scaled = (n) => (QUICK ? Math.max(1, Math.round(n / 10)) : n);

function opsPerSecond(fn, minMs) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(minMs) * 1000000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
    now = process.hrtime.bigint();
  }
  return (ops * 1e9) / Number(now - start);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs each contender `rounds` times for `ms` each, alternating; returns median ops/s per name. */
function compare(contenders, { rounds = QUICK ? 1 : 5, ms = scaled(200) } = {}) {
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const fn of Object.values(contenders)) opsPerSecond(fn, 50); // warm up
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) samples[name].push(opsPerSecond(fn, ms));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));

function printTable(title, rows) {
  console.log(`\n${title}`);
  const header = ['case', 'ours/s', 'peer', 'peer/s', 'ratio (ours/peer)'];
  const lines = rows.map((r) => [r.name, fmt(r.ours), r.peerName ?? '-', r.peer === undefined ? '-' : fmt(r.peer), r.peer === undefined ? '-' : `${(r.ours / r.peer).toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}

module.exports = { compare, printTable, opsPerSecond, QUICK, scaled };
