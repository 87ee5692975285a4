'use strict';
// The Node-RED path: messages into cmpp-submit in a real Node-RED process
// (not the test helper, whose spies cost several times the node), next to a
// trivial asynchronous echo node in the same runtime and the same flow
// shape. The gateway is the bench's minimal one, in this process; each round
// is timed inside Node-RED, from the first message sent to the last out.
const fs = require('node:fs');
const path = require('node:path');
const { NodeRedProcess } = require('../test/support/node-red-process');
const { startMinimalIsmg } = require('./minimal-ismg');
const { printTable, QUICK, scaled } = require('./harness');

// The bench's own nodes, in the user directory: an echo that answers on the
// next turn, and a driver that sends a burst into one of two outputs and
// counts what comes back, so that neither side pays for a function node.
const BENCH_NODES = `module.exports = function (RED) {
  function BenchEcho(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => setImmediate(() => { send(msg); done(); }));
  }
  RED.nodes.registerType('bench-echo', BenchEcho);
  function BenchDrive(config) {
    RED.nodes.createNode(this, config);
    let run;
    this.on('input', (msg, send, done) => {
      if (msg.req) {
        const n = Number(msg.req.query.n);
        const out = msg.req.query.target === 'echo' ? 0 : 1;
        run = { msg, n, seen: 0, started: Date.now() };
        for (let i = 0; i < n; i++) {
          const m = { payload: 'alert ' + i, to: '13800138000' };
          send(out === 0 ? [m, null, null] : [null, m, null]);
        }
      } else if (++run.seen === run.n) {
        run.msg.payload = String(Date.now() - run.started);
        send([null, null, run.msg]);
      }
      done();
    });
  }
  RED.nodes.registerType('bench-drive', BenchDrive);
};
`;
const BENCH_HTML = ['bench-echo', 'bench-drive'].map((type, i) => `<script type="text/javascript">RED.nodes.registerType("${type}", { category: "function", inputs: 1, outputs: ${i ? 3 : 1}, defaults: {} });</script>`).join('\n');

/** POST /run?target=echo|cmpp&n=: sends n messages into the target; answers with the milliseconds the last took to come out. */
function flow(gatewayPort, count) {
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    {
      id: 'conn', type: 'cmpp-connection', name: 'bench', configVersion: 2, host: '127.0.0.1', port: gatewayPort, spId: '901234', version: '3.0',
      srcId: '1069001', queueSize: count * 2, queueTimeout: 0, store: 'memory', credentials: { sharedSecret: 'secret' },
    },
    { id: 'in', z: 'tab', type: 'http in', url: '/run', method: 'post', wires: [['drive']] },
    { id: 'drive', z: 'tab', type: 'bench-drive', wires: [['echo'], ['submit'], ['out']] },
    { id: 'echo', z: 'tab', type: 'bench-echo', wires: [['drive']] },
    { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: false, wires: [['drive']] },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
  ];
}

module.exports = async function run() {
  const count = scaled(20000);
  const gateway = await startMinimalIsmg();
  const red = await NodeRedProcess.create();
  try {
    fs.mkdirSync(path.join(red.userDir, 'nodes'));
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'bench.js'), BENCH_NODES);
    fs.writeFileSync(path.join(red.userDir, 'nodes', 'bench.html'), BENCH_HTML);
    await red.start();
    await red.deploy(flow(gateway.port, count));
    const rate = async (target) => (count * 1000) / Number(await red.request('POST', `/run?target=${target}&n=${count}`, {}));
    await rate('echo'); // warm-up
    await rate('cmpp');
    const echo = [];
    const cmpp = [];
    for (let round = 0; round < (QUICK ? 1 : 3); round++) {
      echo.push(await rate('echo'));
      cmpp.push(await rate('cmpp'));
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    printTable(`Node-RED ${require(`${require('../test/support/node-red-process').runtime()}/package.json`).version} (messages per second through one node, ${count} at once)`, [
      { name: 'cmpp-submit (memory store)', ours: median(cmpp), peer: median(echo), peerName: 'async echo node' },
    ]);
    const ratio = median(cmpp) / median(echo);
    console.log(`  goal: ratio 0.80 -> ${ratio >= 0.8 ? 'met' : 'below goal'} (${ratio.toFixed(2)})`);
  } finally {
    await red.dispose();
    await gateway.stop();
  }
};
