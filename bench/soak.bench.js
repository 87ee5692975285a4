'use strict';
// A million queued (`--soak`, or `--soak=N` for N messages; CI runs 100,000
// to prove it runs): N messages into cmpp-submit in a real Node-RED process
// with the SQLite store, behind a gateway that is down; then the gateway
// comes up and they drain at the link's rate limit; a third of the way
// through, kill -9 and a restart on the same user directory. Printed: the
// process's RSS (its largest), the event loop's delay (p99, measured inside
// Node-RED by perf_hooks.monitorEventLoopDelay) while they are accepted and
// while they drain, the editor's GET /flows (its slowest), the time from the
// restart to the first SUBMIT again, the drain's rate, and the count: every
// message one outcome, and none at the phone twice.
const fs = require('node:fs');
const path = require('node:path');
const { NodeRedProcess, freePort } = require('../test/support/node-red-process');
const { until } = require('../test/support/wait');
const testing = require('../dist/src/testing');

const soakFlag = process.argv.find((a) => a.startsWith('--soak'));
const COUNT = soakFlag && soakFlag.includes('=') ? Number(soakFlag.split('=')[1]) : 1_000_000;
/** the link's rate limit while they drain (SUBMITs a second) */
const RATE = 5000;
/** messages a POST asks the bench node to send; it sends them a hundred a turn, as messages coming from elsewhere (MQTT, HTTP) would */
const CHUNK = 20_000;

// The bench's node: sends what a POST asks, a hundred a turn; writes each outcome's number to a file
// synchronously (counted even when killed a moment later); answers the event loop's delay inside Node-RED.
const SOAK_NODES = `module.exports = function (RED) {
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const fs = require('node:fs');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  RED.httpAdmin.get('/soak/loop', (req, res) => {
    res.json({ p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
    delay.reset();
  });
  function SoakSend(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      const n = Number(msg.req.query.n);
      const from = Number(msg.req.query.from);
      let i = 0;
      const turn = () => {
        for (const end = Math.min(n, i + 100); i < end; i++) send([{ payload: 'soak ' + (from + i), to: '13800138000', correlation: { n: from + i } }, null]);
        if (i < n) setImmediate(turn);
        else {
          msg.payload = 'sent ' + n;
          send([null, msg]);
          done();
        }
      };
      turn();
    });
  }
  RED.nodes.registerType('soak-send', SoakSend);
  function SoakCount(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      const n = msg.correlation && msg.correlation.n;
      const ok = msg.error ? 0 : msg.payload && msg.payload.ok ? 1 : 0;
      fs.appendFileSync(config.file, n + ' ' + ok + (msg.carriedOver ? ' c' : '') + '\\n');
      done();
    });
  }
  RED.nodes.registerType('soak-count', SoakCount);
};
`;
const SOAK_HTML = [['soak-send', 2], ['soak-count', 0]]
  .map(([type, outputs]) => `<script type="text/javascript">RED.nodes.registerType("${type}", { category: "function", inputs: 1, outputs: ${outputs}, defaults: { file: { value: "" } } });</script>`)
  .join('\n');

function flow(port, file) {
  return [
    { id: 'tab', type: 'tab', label: 'soak' },
    {
      id: 'conn', type: 'cmpp-connection', name: 'soak', configVersion: 2, host: '127.0.0.1', port, spId: '901234', version: '3.0', srcId: '1069001',
      queueSize: COUNT, queueTimeout: 0, rate: RATE, reconnectMax: 1, store: 'sqlite', credentials: { sharedSecret: 'secret' },
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/soak', method: 'post', wires: [['send']] },
    { id: 'send', z: 'tab', type: 'soak-send', wires: [['submit'], ['out']] },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: false, wires: [['count']] },
    { id: 'failures', z: 'tab', type: 'catch', scope: ['submit'], uncaught: false, wires: [['count']] },
    { id: 'count', z: 'tab', type: 'soak-count', file },
  ];
}

/** Reads the outcome file as it grows: each message's outcomes, by number. */
function outcomeReader(file) {
  const seen = new Uint8Array(COUNT);
  const state = { offset: 0, rest: '', distinct: 0, lines: 0, ok: 0, carried: 0, twice: 0, seen };
  state.read = () => {
    if (!fs.existsSync(file)) return state;
    const size = fs.statSync(file).size;
    if (size <= state.offset) return state;
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(size - state.offset);
    fs.readSync(fd, buffer, 0, buffer.length, state.offset);
    fs.closeSync(fd);
    state.offset = size;
    const text = state.rest + buffer.toString('utf8');
    const lines = text.split('\n');
    state.rest = lines.pop();
    for (const line of lines) {
      const [n, ok, carried] = line.split(' ');
      state.lines++;
      if (seen[Number(n)]++) state.twice++;
      else state.distinct++;
      if (ok === '1') state.ok++;
      if (carried) state.carried++;
    }
    return state;
  };
  return state;
}

/** The process's resident memory (MB), from /proc. */
function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples RSS and GET /flows every half second until stopped: the largest and the slowest. */
function watch(red) {
  const figures = { rssMb: 0, flowsMs: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      figures.rssMb = Math.max(figures.rssMb, rssOf(red.child.pid));
      const t = process.hrtime.bigint();
      try {
        await red.request('GET', '/flows');
        figures.flowsMs = Math.max(figures.flowsMs, Number(process.hrtime.bigint() - t) / 1e6);
      } catch {
        // killed on purpose: the next sample is the new process's
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return { figures, stop: async () => ((stopped = true), await loop, figures) };
}

/** `test`, telling `progress()` every two seconds with SOAK_LOG set (a long wait shows where it stands). */
function telling(test, what, progress) {
  let said = Date.now();
  return async () => {
    if (process.env.SOAK_LOG && progress && Date.now() - said > 2000) {
      said = Date.now();
      console.log(`  ... ${what}: ${await progress()}`);
    }
    return test();
  };
}

module.exports = async function run() {
  if (!soakFlag) {
    console.log('\nA million queued: runs with --soak (or --soak=N); CI runs --soak=100000');
    return;
  }
  const port = await freePort();
  const gateway = new testing.IsmgSimulator({ port, lean: true, reportDelayMs: 0 });
  const atPhone = new Uint8Array(COUNT);
  let submits = 0;
  let twiceAtPhone = 0;
  const submittedAt = new Float64Array(COUNT);
  gateway.on('submit', (body) => {
    submits++;
    const n = Number(String(body.msgContent).slice(5));
    if (atPhone[n]++) twiceAtPhone++;
    submittedAt[n] = Date.now();
  });
  const red = await NodeRedProcess.create();
  const file = path.join(red.userDir, 'outcomes.txt');
  const outcomes = outcomeReader(file);
  const loop = () => red.request('GET', '/soak/loop').then(JSON.parse);
  const rows = [];
  try {
    fs.mkdirSync(path.join(red.userDir, 'nodes'));
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'soak.js'), SOAK_NODES);
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'soak.html'), SOAK_HTML);
    await red.start();
    await red.deploy(flow(port, file));

    // Accepted behind a gateway that is down.
    await loop();
    let watching = watch(red);
    let started = Date.now();
    for (let from = 0; from < COUNT; from += CHUNK) await red.request('POST', `/soak?n=${Math.min(CHUNK, COUNT - from)}&from=${from}`, {});
    const acceptS = (Date.now() - started) / 1000;
    const acceptLoop = await loop();
    const accepted = await watching.stop();
    if (outcomes.read().lines) throw new Error(`soak: ${outcomes.lines} outcomes before the gateway came up (${outcomes.ok} ok): messages were refused`);
    rows.push(['accepted', `${COUNT.toLocaleString('en-US')} in ${acceptS.toFixed(0)} s (${Math.round(COUNT / acceptS)}/s)`, accepted.rssMb, acceptLoop.p99, accepted.flowsMs]);

    // The gateway comes up: they drain at the link's rate; a third of the way, kill -9.
    watching = watch(red);
    await gateway.start();
    started = Date.now();
    await until(() => outcomes.read().distinct >= COUNT / 3, { what: 'a third drained', timeoutMs: (COUNT / RATE) * 4000 + 60000, everyMs: 250 });
    const firstDrain = { s: (Date.now() - started) / 1000, n: outcomes.distinct };
    const drainLoop = await loop();
    const draining = await watching.stop();
    rows.push(['draining', `${firstDrain.n.toLocaleString('en-US')} in ${firstDrain.s.toFixed(0)} s (${Math.round(firstDrain.n / firstDrain.s)}/s, limit ${RATE}/s)`, draining.rssMb, drainLoop.p99, draining.flowsMs]);
    await red.kill();
    const killedAt = Date.now();
    const atKill = outcomes.read().distinct;

    // The restart with the rest waiting: how long until it sends again, and how fast the rest drains from then.
    const before = submits;
    started = Date.now();
    if (process.env.SOAK_PROF) process.env.RED_PROF = process.env.SOAK_PROF; // a profile of the restarted process
    const restarted = red.start();
    await until(() => submits > before, { what: 'a SUBMIT after the restart', timeoutMs: 120000, everyMs: 50 });
    const readyS = (Date.now() - started) / 1000;
    const sendingAgain = Date.now();
    await restarted;
    watching = watch(red);
    await loop();
    const missing = () => {
      const out = [];
      for (let n = 0; n < COUNT && out.length < 20; n++) if (!outcomes.seen[n]) out.push(`${n}: at the phone ${atPhone[n]}x, ${submittedAt[n] ? `${submittedAt[n] < killedAt ? 'before' : 'after'} the kill` : 'never'}`);
      return out.join('; ');
    };
    // Every message at the phone, and no outcome more for three seconds (or every one given).
    let phoneGap = 0;
    let lastOutcomes = -1;
    let stillSince = Date.now();
    const what = 'every message at the phone and its outcome given';
    const done = () => {
      while (phoneGap < COUNT && atPhone[phoneGap]) phoneGap++;
      const now = outcomes.read().distinct;
      if (now !== lastOutcomes) [lastOutcomes, stillSince] = [now, Date.now()];
      return phoneGap === COUNT && (now === COUNT || Date.now() - stillSince > 3000);
    };
    const progress = async () => `${outcomes.distinct} outcomes, ${submits} SUBMITs, loop ${JSON.stringify(await loop().catch(() => ({})))}; without an outcome: ${COUNT - outcomes.distinct < 50 ? missing() : 'many'}`;
    await until(telling(done, what, progress), { what, timeoutMs: (COUNT / RATE) * 4000 + 60000, everyMs: 250 });
    const secondDrain = { s: (Date.now() - sendingAgain) / 1000, n: COUNT - atKill };
    const restLoop = await loop();
    const rest = await watching.stop();
    rows.push(['after the restart', `ready to send ${readyS.toFixed(1)} s after the spawn; ${secondDrain.n.toLocaleString('en-US')} in ${secondDrain.s.toFixed(0)} s (${Math.round(secondDrain.n / secondDrain.s)}/s)`, rest.rssMb, restLoop.p99, rest.flowsMs]);
    await new Promise((r) => setTimeout(r, 1000));
    outcomes.read();

    console.log(`\nA million queued: ${COUNT.toLocaleString('en-US')} messages into cmpp-submit, SQLite store, Node-RED process (kill -9 a third of the way through the drain)`);
    console.log('  phase               what                                                    RSS max   loop p99   GET /flows max');
    for (const [phase, what, rss, p99, flows] of rows) console.log(`  ${phase.padEnd(18)}  ${what.padEnd(54)}  ${rss.toFixed(0).padStart(4)} MB  ${p99.toFixed(0).padStart(6)} ms  ${flows.toFixed(0).padStart(8)} ms`);
    const lost = COUNT - outcomes.distinct;
    let neverAtPhone = 0;
    for (let n = 0; n < COUNT; n++) if (!atPhone[n]) neverAtPhone++;
    console.log(`  at the phone: every message${neverAtPhone ? ` but ${neverAtPhone}` : ''} (${submits.toLocaleString('en-US')} SUBMITs; ${twiceAtPhone} sent again after the kill: at-least-once, the connection's default)`);
    console.log(`  outcomes: ${outcomes.distinct.toLocaleString('en-US')} messages with one (${outcomes.ok.toLocaleString('en-US')} ok, ${outcomes.carried.toLocaleString('en-US')} carried over the restart), ${outcomes.twice} with two, ${lost} with none${lost ? ` (${missing()})` : ''}`);
    const rssMax = Math.max(...rows.map((r) => r[2]));
    const p99Max = Math.max(...rows.map((r) => r[3]));
    const flowsMax = Math.max(...rows.map((r) => r[4]));
    const goals = [
      ['RSS under 512 MB', rssMax < 512, `${rssMax.toFixed(0)} MB`],
      ['event loop p99 under 100 ms', p99Max < 100, `${p99Max.toFixed(0)} ms`],
      ['GET /flows under 1 s', flowsMax < 1000, `${flowsMax.toFixed(0)} ms`],
      ['ready to send within 30 s of the restart', readyS <= 30, `${readyS.toFixed(1)} s`],
      ['no message lost: each at the phone', neverAtPhone === 0, `${neverAtPhone} never sent`],
      ['each message one outcome', lost === 0 && outcomes.twice === 0, `${lost} with none, ${outcomes.twice} with two`],
    ];
    for (const [goal, met, figure] of goals) console.log(`  goal: ${goal} -> ${met ? 'met' : 'not met'} (${figure})`);
    if (neverAtPhone || outcomes.twice) throw new Error('soak: a message was never sent, or had two outcomes');
  } finally {
    await red.dispose();
    await gateway.stop();
  }
};
