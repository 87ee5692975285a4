'use strict';
// A real Node-RED process with this package, in a user directory of the
// test's own: started, deployed to over its admin API, killed (-9 if asked)
// and started again on the same directory. Node-RED 4.1 runs on Node 20;
// 5.x where the Node that runs the tests is 22.9 or later.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

// Node-RED's own lines, in English or in the runtime's Traditional Chinese (settings.lang).
const SERVER_RUNNING = /Server now running|服務器現在在/;
const STARTED_FLOWS = /Started flows|流程已啟動/;
const startsSoFar = (log) => (log.match(new RegExp(STARTED_FLOWS.source, 'g')) || []).length;

function runtime() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 9) ? 'node-red' : 'node-red-4';
}

class NodeRedProcess {
  /** `extra`: more Node-RED settings (`lang`, say) over the tests' own. */
  static async create(extra = {}) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-red-'));
    fs.mkdirSync(path.join(userDir, 'node_modules', '@smsflow'), { recursive: true });
    fs.symlinkSync(root, path.join(userDir, 'node_modules', '@smsflow', 'node-red-sms'), 'dir');
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'smsflow-test', private: true }));
    const port = await freePort();
    const settings = path.join(userDir, 'settings.js');
    fs.writeFileSync(settings, `module.exports = ${JSON.stringify({
      uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', credentialSecret: 'smsflow-test',
      telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false },
      editorTheme: { tours: false, projects: { enabled: false } }, logging: { console: { level: 'info' } }, ...extra,
    })};\n// Function nodes of the tests' flows write their lines synchronously (counted even when killed a moment later).\nmodule.exports.functionGlobalContext = { fs: require('fs') };\n`);
    return new NodeRedProcess(userDir, port, settings);
  }

  constructor(userDir, port, settings) {
    this.userDir = userDir;
    this.port = port;
    this.settings = settings;
    this.log = '';
  }

  /** Starts Node-RED; resolves once its flows have started (`times` counts starts in this process's log). */
  start() {
    this.log = '';
    const red = require.resolve(`${runtime()}/red.js`);
    this.child = spawn(process.execPath, [...(process.env.RED_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.RED_PROF] : []), red, '--userDir', this.userDir, '--settings', this.settings], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (c) => { this.log += String(c); });
    this.child.stderr.on('data', (c) => { this.log += String(c); });
    // Both lines: the server can be up a moment before its first flows have started.
    return this.waitFor(SERVER_RUNNING, 30000).then(() => this.waitFor(STARTED_FLOWS, 30000));
  }

  waitFor(pattern, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (pattern.test(this.log)) resolve();
        else if (Date.now() - started > timeoutMs) reject(new Error(`Node-RED did not log ${pattern} in time:\n${this.log.slice(-3000)}`));
        else if (this.child.exitCode !== null) reject(new Error(`Node-RED exited (${this.child.exitCode}):\n${this.log.slice(-3000)}`));
        else setTimeout(check, 50);
      };
      check();
    });
  }

  request(method, urlPath, body, headers = {}) {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, path: urlPath, method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => (res.statusCode < 300 ? resolve(text) : reject(new Error(`${method} ${urlPath}: HTTP ${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  /** A full deploy; resolves when the flows have started again. */
  async deploy(flow) {
    const before = startsSoFar(this.log);
    await this.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
    const started = Date.now();
    while (startsSoFar(this.log) <= before) {
      if (Date.now() - started > 15000) throw new Error(`the deploy did not start the flows:\n${this.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** kill -9: no close handler runs, nothing is flushed. */
  async kill(signal = 'SIGKILL') {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }

  async dispose() {
    // A profiled process must exit on its own for its profile to be written.
    await this.kill(process.env.RED_PROF ? 'SIGINT' : 'SIGKILL');
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

module.exports = { NodeRedProcess, freePort, runtime };
