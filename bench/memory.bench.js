'use strict';
// Memory over a long run: CmppClient.send with delivery reports, one message
// after another (32 at a time), against the package's simulator in a process
// of its own. Every 10th of the run both processes are measured after a full
// garbage collection (heap used and RSS). Flat: the heap at the end is within
// 10% (plus 4 MiB) of the heap a fifth of the way in, on both sides.
const { fork } = require('node:child_process');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { cmpp, store } = require('../dist/src/internal');
const { QUICK } = require('./harness');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const MiB = 1024 * 1024;

/** The heap (after a full collection) and RSS of this process. */
function measure() {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** The simulator in a child process: `{ port }` once listening, then `{ heap, rss }` for each 'measure'. */
function startSimulator() {
  const child = fork(path.join(__dirname, 'memory-simulator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return next().then(({ port }) => ({
    port,
    measure: () => {
      const answer = next();
      child.send('measure');
      return answer;
    },
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('stop');
    }),
  }));
}

function flat(samples, key) {
  const base = samples[Math.floor(samples.length / 5)][key];
  const last = samples[samples.length - 1][key];
  return { ok: last <= base * 1.1 + 4 * MiB, base, last };
}

module.exports = async function run() {
  const total = QUICK ? 100000 : 1000000;
  const every = total / 10;
  const sim = await startSimulator();
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port: sim.port, spId: '901234', sharedSecret: 'secret', window: 16, maxQueue: 1000, store: new store.MemoryStore() });
  let reports = 0;
  client.on('report', () => reports++);
  await client.start();
  const samples = [];
  const started = Date.now();
  let sent = 0;
  let failed;
  await new Promise((resolve) => {
    let running = 0;
    let sampleAt = every;
    const pump = () => {
      while (!failed && running < 32 && sent < sampleAt) {
        running++;
        const n = sent++;
        client.send({ to: '13800138000', payload: `Server room B: temperature 36C, reading ${n}`, registeredDelivery: true, correlation: { n } }).then((r) => {
          running--;
          if (!r.ok) failed = new Error(`send ${n} failed: ${r.results[0].description}`);
          if (failed) resolve();
          else if (running === 0 && sent === sampleAt) sample().then(() => (sent === total ? resolve() : pump()));
          else pump();
        });
      }
    };
    // Both sides are measured with nothing in flight, once the reports sent so far came in.
    const sample = async () => {
      const waitUntil = Date.now() + 2000;
      while (reports < sent && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 10));
      samples.push({ sent, reports, ...measure(), sim: await sim.measure() });
      sampleAt = Math.min(total, sampleAt + every);
    };
    pump();
  });
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  await sim.stop();
  if (failed) throw failed;

  console.log(`\nMemory over ${total.toLocaleString('en')} CmppClient.send with delivery reports (${Math.round(total / seconds)}/s), after a full GC`);
  console.log('  sent        reports     heap MiB  RSS MiB   simulator heap MiB  simulator RSS MiB');
  for (const s of samples) {
    console.log(`  ${String(s.sent).padEnd(10)}  ${String(s.reports).padEnd(10)}  ${(s.heap / MiB).toFixed(1).padStart(8)}  ${(s.rss / MiB).toFixed(0).padStart(7)}   ${(s.sim.heap / MiB).toFixed(1).padStart(18)}  ${(s.sim.rss / MiB).toFixed(0).padStart(17)}`);
  }
  const ours = flat(samples, 'heap');
  const theirs = flat(samples.map((s) => s.sim), 'heap');
  console.log(`  goal: flat heap (end within 10% + 4 MiB of the fifth sample) -> client ${ours.ok ? 'met' : 'below goal'} (${(ours.base / MiB).toFixed(1)} -> ${(ours.last / MiB).toFixed(1)} MiB), simulator ${theirs.ok ? 'met' : 'below goal'} (${(theirs.base / MiB).toFixed(1)} -> ${(theirs.last / MiB).toFixed(1)} MiB)`);
  if (reports < total * 0.99) console.log(`  note: ${total - reports} reports had not come back by the end`);
};
