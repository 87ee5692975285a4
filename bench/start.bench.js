'use strict';
// What the package adds to Node-RED's start: a real Node-RED process, from
// its spawn to "Started flows", in a user directory with the package and in
// one without it (the same settings, no flows), in alternating rounds; the
// medians and their difference. Next to it, the package's node files and
// plugin required in a process of their own (what Node-RED loads of it).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, runtime } = require('../test/support/node-red-process');
const { median, QUICK } = require('./harness');

const root = path.join(__dirname, '..');
const STARTED_FLOWS = /Started flows/;

function userDir(withPackage, flow) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-bench-start-'));
  if (flow) fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-start', private: true }));
  if (withPackage) {
    fs.mkdirSync(path.join(dir, 'node_modules', '@smsflow'), { recursive: true });
    fs.symlinkSync(root, path.join(dir, 'node_modules', '@smsflow', 'node-red-sms'), 'dir');
  }
  return dir;
}

/** Milliseconds from spawn to "Started flows". */
async function startTime(dir) {
  const port = await freePort();
  const settings = path.join(dir, 'settings.js');
  fs.writeFileSync(settings, `module.exports = ${JSON.stringify({ uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', lang: 'en-US', telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false }, editorTheme: { tours: false } })};`);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [require.resolve(`${runtime()}/red.js`), '--userDir', dir, '--settings', settings], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  try {
    return await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        log += chunk;
        if (STARTED_FLOWS.test(log)) resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
      child.once('exit', (code) => reject(new Error(`Node-RED exited (${code}):\n${log.slice(-2000)}`)));
    });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** The package's node files and plugin required in a fresh process, as Node-RED loads them: milliseconds, and the modules loaded. */
function requireTime() {
  const script = `
    const pkg = require('./package.json');
    const t = process.hrtime.bigint();
    for (const f of [...Object.values(pkg['node-red'].nodes), ...Object.values(pkg['node-red'].plugins)]) require('./' + f);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    console.log(JSON.stringify({ ms, modules: Object.keys(require.cache).length - 1 }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
}

/** A flow as a user of CMPP has it: a connection with the SQLite store (its gateway not up) and a send node. */
const CMPP_FLOW = [
  { id: 'tab', type: 'tab', label: 'alerts' },
  { id: 'conn', type: 'cmpp-connection', name: 'gateway', configVersion: 2, host: '127.0.0.1', port: 1, spId: '901234', version: '3.0', srcId: '1069001', store: 'sqlite' },
  { id: 'submit', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '13800138000', encoding: 'auto', wires: [] },
];

module.exports = async function run() {
  const dirs = { without: userDir(false), with: userDir(true), flow: userDir(true, CMPP_FLOW) };
  const rounds = QUICK ? 1 : 7;
  const samples = { without: [], with: [], flow: [] };
  try {
    for (const dir of Object.values(dirs)) await startTime(dir); // warm-up: the disk cache
    for (let r = 0; r < rounds; r++) for (const kind of Object.keys(samples)) samples[kind].push(await startTime(dirs[kind]));
  } finally {
    for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
  }
  const [without, withIt, flow] = [median(samples.without), median(samples.with), median(samples.flow)];
  const loads = [requireTime(), requireTime(), requireTime()].sort((a, b) => a.ms - b.ms)[1];
  const version = require(`${runtime()}/package.json`).version;
  console.log(`\nNode-RED ${version} start, from spawn to "Started flows" (no flows; median of ${rounds} alternating rounds)`);
  console.log(`  without the package  ${without.toFixed(0)} ms`);
  console.log(`  with the package     ${withIt.toFixed(0)} ms`);
  console.log(`  added                ${(withIt - without).toFixed(0)} ms   (its node files and plugin alone: ${loads.ms.toFixed(0)} ms, ${loads.modules} modules)`);
  console.log(`  with a CMPP connection (SQLite store) and cmpp-submit in the flow: ${flow.toFixed(0)} ms, ${(flow - without).toFixed(0)} ms more than without the package`);
  console.log(`  goal: the package adds at most 60 ms -> ${withIt - without <= 60 ? 'met' : 'above goal'} (${(withIt - without).toFixed(0)} ms)`);
};
