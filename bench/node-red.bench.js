'use strict';
// The Node-RED path: messages into cmpp-submit in a real Node-RED process
// (not the test helper, whose spies cost several times the node), next to
// two trivial echoes in the same runtime and the same flow shape (a function
// node that returns its msg, as a flow would echo, and a bare node that only
// waits a turn), and next to a node that sends ready-made SUBMIT frames over
// a bare socket with the same window: the same exchange with no codec and no
// session, for reference. The gateway is the bench's minimal one, in this process; each round
// is timed inside Node-RED, from the first message sent to the last out.
const fs = require('node:fs');
const path = require('node:path');
const { NodeRedProcess } = require('../test/support/node-red-process');
const { startMinimalIsmg } = require('./minimal-ismg');
const { cmpp } = require('../dist/src/internal');
const { printTable, QUICK, scaled } = require('./harness');

/** The SUBMIT cmpp-submit writes for "alert 10000" to one number: the raw node sends its frame. */
const SUBMIT_BODY = {
  msgId: '0', pkTotal: 1, pkNumber: 1, registeredDelivery: 0, msgLevel: 0, serviceId: '', feeUserType: 2, feeTerminalId: '',
  feeTerminalType: 0, tpPid: 0, tpUdhi: 0, msgFmt: 0, msgSrc: '901234', feeType: '01', feeCode: '000000', validTime: '', atTime: '',
  srcId: '1069001', destUsrTl: 1, destTerminalId: ['13800138000'], destTerminalType: 0, msgLength: 11,
  msgContent: Buffer.from('alert 10000'), linkId: '',
};

// The bench's own nodes, in the user directory: an echo that answers on the
// next turn, and a driver that sends a burst into one of two outputs and
// counts what comes back, so that neither side pays for a function node.
const BENCH_NODES = `module.exports = function (RED) {
  function BenchEcho(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => setImmediate(() => { send(msg); done(); }));
  }
  RED.nodes.registerType('bench-echo', BenchEcho);
  // The wire alone: each msg becomes one ready-made SUBMIT frame (its sequence
  // number written in), 16 at a time over one socket, written once per turn;
  // each answer's command is checked and the oldest msg goes on.
  function BenchRaw(config) {
    RED.nodes.createNode(this, config);
    const net = require('node:net');
    const frame = Buffer.from(config.frame, 'hex');
    const socket = net.connect(config.port, '127.0.0.1');
    socket.setNoDelay(true);
    const waiting = [];
    const inFlight = [];
    let sequence = 0;
    let pending = Buffer.alloc(0);
    let flushing = false;
    const fill = () => {
      const n = Math.min(16 - inFlight.length, waiting.length);
      if (n <= 0) return;
      const out = Buffer.allocUnsafe(frame.length * n);
      for (let i = 0; i < n; i++) {
        frame.copy(out, i * frame.length);
        out.writeUInt32BE(++sequence, i * frame.length + 8);
        inFlight.push(waiting.shift());
      }
      socket.write(out);
    };
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 12 && pending.length >= pending.readUInt32BE(0)) {
        if (pending.readUInt32BE(4) !== 0x80000004) this.error('not a SUBMIT_RESP');
        pending = pending.subarray(pending.readUInt32BE(0));
        const [msg, send, done] = inFlight.shift();
        send(msg);
        done();
      }
      fill();
    });
    this.on('input', (msg, send, done) => {
      waiting.push([msg, send, done]);
      if (!flushing) {
        flushing = true;
        process.nextTick(() => { flushing = false; fill(); });
      }
    });
    this.on('close', () => socket.destroy());
  }
  RED.nodes.registerType('bench-raw', BenchRaw);
  function BenchDrive(config) {
    RED.nodes.createNode(this, config);
    let run;
    this.on('input', (msg, send, done) => {
      if (msg.req) {
        const n = Number(msg.req.query.n);
        const out = { echo: 0, cmpp: 1, raw: 2, function: 4, sqlite: 5, policy: 6, redis: 7 }[msg.req.query.target];
        const first = (run ? run.first + run.n : 0);
        run = { msg, n, seen: 0, started: Date.now(), first };
        for (let i = 0; i < n; i++) {
          // A number of its own for each message of every round, so that a policy checks and sends every one.
          const m = { payload: 'alert ' + i, to: '139' + String(first + i).padStart(8, '0') };
          const outputs = [null, null, null, null, null, null, null, null];
          outputs[out] = m;
          send(outputs);
        }
      } else if (++run.seen === run.n) {
        run.msg.payload = String(Date.now() - run.started);
        send([null, null, null, run.msg, null, null, null, null]);
      }
      done();
    });
  }
  RED.nodes.registerType('bench-drive', BenchDrive);
};
`;
const BENCH_HTML = [['bench-echo', 1], ['bench-drive', 8], ['bench-raw', 1]].map(([type, outputs]) => `<script type="text/javascript">RED.nodes.registerType("${type}", { category: "function", inputs: 1, outputs: ${outputs}, defaults: {} });</script>`).join('\n');

/**
 * POST /run?target=echo|cmpp|raw|function|sqlite|policy|redis&n=: sends n messages into the target; answers with the milliseconds the last took
 * to come out. sqlite: cmpp-submit on a connection with the SQLite store (the default); policy: the same connection naming an
 * sms-policy with every rule on (5 an hour per number, duplicates in 10 minutes, quiet hours outside their window, STOP words, history); redis: a connection with the Redis store (redis-server started by the bench).
 */
// Quiet hours that hold nothing in the bench: one minute, twelve hours from now.
const hhmm = (t) => new Date(t).toISOString().slice(11, 16);
const quietOutside = [hhmm(Date.now() + 12 * 3600e3), hhmm(Date.now() + 12 * 3600e3 + 60e3)];

function flow(gatewayPort, count, redisUrl) {
  const frame = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: SUBMIT_BODY }).toString('hex');
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    {
      id: 'conn', type: 'cmpp-connection', name: 'bench', configVersion: 2, host: '127.0.0.1', port: gatewayPort, spId: '901234', version: '3.0',
      srcId: '1069001', queueSize: count * 2, queueTimeout: 0, store: 'memory', credentials: { sharedSecret: 'secret' },
    },
    {
      id: 'conn-sqlite', type: 'cmpp-connection', name: 'bench sqlite', configVersion: 2, host: '127.0.0.1', port: gatewayPort, spId: '901234', version: '3.0',
      srcId: '1069001', queueSize: count * 2, queueTimeout: 0, store: 'sqlite', credentials: { sharedSecret: 'secret' },
    },
    {
      id: 'conn-policy', type: 'cmpp-connection', name: 'bench policy', configVersion: 2, host: '127.0.0.1', port: gatewayPort, spId: '901234', version: '3.0',
      srcId: '1069001', queueSize: count * 2, queueTimeout: 0, store: 'sqlite', policy: 'policy', credentials: { sharedSecret: 'secret' },
    },
    {
      id: 'conn-redis', type: 'cmpp-connection', name: 'bench redis', configVersion: 2, host: '127.0.0.1', port: gatewayPort, spId: '901234', version: '3.0',
      srcId: '1069001', queueSize: count * 2, queueTimeout: 0, store: 'redis', redisUrl: redisUrl ?? 'redis://127.0.0.1:1', credentials: { sharedSecret: 'secret' },
    },
    {
      id: 'policy', type: 'sms-policy', name: 'bench', limitCount: 5, limitWindow: 60, limitUnit: 'messages', limitOver: 'refuse', duplicateWindow: 10,
      quietFrom: quietOutside[0], quietTo: quietOutside[1], timeZone: 'UTC', zones: '', quietDuring: 'hold', urgentPasses: true, keywords: true, store: 'sqlite', historyDays: 7, historyMax: 100000,
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/run', method: 'post', wires: [['drive']] },
    { id: 'drive', z: 'tab', type: 'bench-drive', wires: [['echo'], ['submit'], ['raw'], ['out'], ['echo-function'], ['submit-sqlite'], ['submit-policy'], ['submit-redis']] },
    { id: 'submit-redis', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn-redis', to: '', encoding: 'auto', registeredDelivery: false, wires: [['drive']] },
    { id: 'submit-sqlite', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn-sqlite', to: '', encoding: 'auto', registeredDelivery: false, wires: [['drive']] },
    { id: 'submit-policy', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn-policy', to: '', encoding: 'auto', registeredDelivery: false, wires: [['drive']] },
    { id: 'echo-function', z: 'tab', type: 'function', func: 'return msg;', outputs: 1, wires: [['drive']] },
    { id: 'raw', z: 'tab', type: 'bench-raw', port: gatewayPort, frame, wires: [['drive']] },
    { id: 'echo', z: 'tab', type: 'bench-echo', wires: [['drive']] },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: false, wires: [['drive']] },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
  ];
}

module.exports = async function run() {
  const count = scaled(20000);
  const gateway = await startMinimalIsmg();
  // Debian's redis-server, without persistence, for the Redis row (none where it is not installed).
  const { hasRedis, startRedis } = require('../test/support/redis');
  const redis = hasRedis ? await startRedis() : undefined;
  const red = await NodeRedProcess.create();
  try {
    fs.mkdirSync(path.join(red.userDir, 'nodes'));
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'bench.js'), BENCH_NODES);
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'bench.html'), BENCH_HTML);
    await red.start();
    await red.deploy(flow(gateway.port, count, redis?.url));
    // A run that does not end (a message refused, a node stuck) fails with Node-RED's log instead of hanging.
    const rate = async (target) => {
      let timer;
      const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${target}: not all ${count} messages came back within 120 s; Node-RED said:\n${red.log.slice(-3000)}`)), 120000)));
      try {
        return (count * 1000) / Number(await Promise.race([red.request('POST', `/run?target=${target}&n=${count}`, {}), late]));
      } finally {
        clearTimeout(timer);
      }
    };
    const samples = { function: [], echo: [], cmpp: [], raw: [], sqlite: [], policy: [], ...(redis && { redis: [] }) };
    // BENCH_ONLY=sqlite,policy: those targets alone (a profile of one path, RED_PROF=<dir>); no table.
    if (process.env.BENCH_ONLY) {
      for (const target of process.env.BENCH_ONLY.split(',')) for (let round = 0; round < 4; round++) console.log(target, Math.round(await rate(target)));
      return;
    }
    for (const target of Object.keys(samples)) await rate(target); // warm-up
    for (let round = 0; round < (QUICK ? 1 : 5); round++) {
      for (const target of Object.keys(samples)) samples[target].push(await rate(target));
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const [fn, echo, ours, raw, sqlite, guarded] = [median(samples.function), median(samples.echo), median(samples.cmpp), median(samples.raw), median(samples.sqlite), median(samples.policy)];
    const shared = redis && median(samples.redis);
    printTable(`Node-RED ${require(`${require('../test/support/node-red-process').runtime()}/package.json`).version} (messages per second through one node, ${count} at once)`, [
      { name: 'cmpp-submit (memory store)', ours, peer: fn, peerName: 'echo: function node "return msg"' },
      { name: 'cmpp-submit (memory store)', ours, peer: echo, peerName: 'echo: bare node, setImmediate' },
      { name: 'raw SUBMIT frames, window 16 (a node)', ours: raw, peer: echo, peerName: 'echo: bare node, setImmediate' },
      { name: 'cmpp-submit, next to ready-made frames', ours, peer: raw, peerName: 'raw frames node' },
      { name: 'cmpp-submit (SQLite store, the default)', ours: sqlite, peer: fn, peerName: 'echo: function node "return msg"' },
      ...(redis ? [{ name: 'cmpp-submit (Redis store, redis-server on loopback)', ours: shared, peer: fn, peerName: 'echo: function node "return msg"' }] : []),
      { name: 'cmpp-submit, SQLite, sms-policy: every rule, history', ours: guarded, peer: sqlite, peerName: 'cmpp-submit, SQLite, no policy' },
    ]);
    const ratio = ours / fn;
    console.log(`  goal: ratio 0.80 against the echo a flow would use (a function node) -> ${ratio >= 0.8 ? 'met' : 'below goal'} (${ratio.toFixed(2)})`);
    console.log(`  against a bare node that only waits a turn: ${(ours / echo).toFixed(2)}; ready-made frames over a bare socket reach ${(raw / echo).toFixed(2)} of it`);
    console.log(`  goal (the default store, SQLite): ratio 0.60 against the function node -> ${sqlite / fn >= 0.6 ? 'met' : 'below goal'} (${(sqlite / fn).toFixed(2)})`);
    if (!redis) console.log('  Redis: redis-server is not installed here (apt-get install redis-server): no row');
    const policyRatio = guarded / sqlite;
    console.log(`  goal (the policy on the send path): ratio 0.90 -> ${policyRatio >= 0.9 ? 'met' : 'below goal'} (${policyRatio.toFixed(2)})`);
  } finally {
    await red.dispose();
    await redis?.stop();
    await gateway.stop();
  }
};
