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

/** the middle value (the upper of the two middle ones for an even count) */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs each async measure once per round, in turn, after a warm-up round; the median of each. */
async function alternate(measures, rounds = QUICK ? 1 : 3) {
  const samples = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
  for (const fn of Object.values(measures)) await fn(); // warm-up
  for (let r = 0; r < rounds; r++) for (const [name, fn] of Object.entries(measures)) samples[name].push(await fn());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Keeps `running` calls of `op` under way for `ms`; resolves with completed calls per second. */
async function keepBusy(op, ms, running = 32) {
  let done = 0;
  const until = Date.now() + ms;
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    let busy = 0;
    const pump = () => {
      while (busy < running && Date.now() < until) {
        busy++;
        op().then(() => {
          done++;
          busy--;
          if (Date.now() < until) pump();
          else if (busy === 0) resolve();
        }, reject);
      }
    };
    pump();
  });
  return (done * 1e9) / Number(process.hrtime.bigint() - started);
}

/** The line under a table: the ratio next to its goal. */
const verdict = (ratio, goal, what = '') => `  goal${what ? ` (${what})` : ''}: ratio ${goal.toFixed(2)} -> ${ratio >= goal ? 'met' : 'below goal'} (${ratio.toFixed(2)})`;

/**
 * A raw TCP loop: `request` frames (the sequence number written at
 * `sequenceAt` in each) kept `window` at a time against a server that
 * answers each; every answer's length read and its command checked.
 */
async function rawLoop({ port, request, sequenceAt, window, ms, answerId }) {
  const net = require('node:net');
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  let done = 0;
  let inflight = 0;
  let sequence = 0;
  const until = Date.now() + ms;
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const fill = () => {
      const n = Date.now() < until ? window - inflight : 0;
      if (n > 0) {
        inflight += n;
        const out = Buffer.allocUnsafe(request.length * n);
        for (let i = 0; i < n; i++) {
          request.copy(out, i * request.length);
          out.writeUInt32BE(++sequence, i * request.length + sequenceAt);
        }
        socket.write(out);
      } else if (inflight === 0) resolve();
    };
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 12 && pending.length >= pending.readUInt32BE(0)) {
        if (pending.readUInt32BE(4) !== answerId) reject(new Error(`the server did not answer with 0x${answerId.toString(16)}`));
        pending = pending.subarray(pending.readUInt32BE(0));
        inflight--;
        done++;
      }
      fill();
    });
    fill();
  });
  const rate = (done * 1e9) / Number(process.hrtime.bigint() - started);
  socket.destroy();
  return rate;
}

module.exports = { compare, printTable, opsPerSecond, QUICK, scaled, alternate, keepBusy, verdict, median, rawLoop };
