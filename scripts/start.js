'use strict';
// `npm start`: the carrier simulators, then Node-RED with this package and
// the demo flow wired to them, in a user directory inside the project.
// Node-RED 5 needs Node 22.9 or later; on an older Node the 4.1 runtime
// (devDependency node-red-4) runs instead.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startSimulators, servePhonesPage, keptCertificate } = require('../dist/src/testing');

const root = path.join(__dirname, '..');
const userDir = process.env.SMSFLOW_USER_DIR || path.join(root, '.node-red-user');
const settingsFile = path.join(__dirname, 'demo-settings.js');
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT) || 1880;
const DEMO_PORTS = {
  cmpp: Number(process.env.SMSFLOW_CMPP_PORT) || 17890,
  smpp: Number(process.env.SMSFLOW_SMPP_PORT) || 12775,
  imsp: Number(process.env.SMSFLOW_IMSP_PORT) || 14443,
  modem: Number(process.env.SMSFLOW_MODEM_PORT) || 17000,
  phones: Number(process.env.SMSFLOW_PHONES_PORT) || 17080,
};

function pickRuntime() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 9) ? 'node-red' : 'node-red-4';
}

/** Returns true when the demo flow should be deployed (a new user directory, or --reset). */
function prepareUserDir() {
  fs.mkdirSync(path.join(userDir, 'node_modules', '@smsflow'), { recursive: true });
  const link = path.join(userDir, 'node_modules', '@smsflow', 'node-red-sms');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  const pkg = path.join(userDir, 'package.json');
  if (!fs.existsSync(pkg)) {
    fs.writeFileSync(pkg, JSON.stringify({ name: 'smsflow-demo', private: true, dependencies: { '@smsflow/node-red-sms': 'file:..' } }, null, 2));
  }
  const reset = process.argv.includes('--reset');
  if (reset) for (const f of ['flows.json', 'flows_cred.json']) fs.rmSync(path.join(userDir, f), { force: true });
  return reset || !fs.existsSync(path.join(userDir, 'flows.json'));
}

/** The IMSP simulator's certificate, kept in the user directory so the deployed flow keeps trusting it. */
function demoCertificate() {
  return keptCertificate(path.join(userDir, 'imsp-simulator-certificate.json'));
}

/** The demo flow, pointed at the simulators' ports. */
function demoFlow(sims, phonesUrl) {
  const flow = JSON.parse(fs.readFileSync(path.join(__dirname, 'demo-flow.json'), 'utf8'));
  for (const node of flow) {
    if (node.type === 'cmpp-connection') node.port = sims.ports.cmpp;
    if (node.type === 'smpp-connection') node.port = sims.ports.smpp;
    if (node.type === 'modem-port') node.port = `tcp://${host}:${sims.ports.modem}`;
    if (node.type === 'comment' && node.info) node.info = node.info.replace('{{phones}}', phonesUrl);
    if (node.type === 'imsp-account') {
      node.baseUrl = sims.imsp.baseUrl;
      node.ca = sims.imsp.certificate.cert;
    }
  }
  return flow;
}

function deploy(flow) {
  const body = JSON.stringify(flow);
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path: '/flows', method: 'POST', headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`deploying the demo flow failed: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const fresh = prepareUserDir();
  let sims;
  try {
    sims = await startSimulators(DEMO_PORTS, host, demoCertificate());
  } catch (err) {
    console.error(`The simulators could not start (${err.message}). Is another "npm start" running? Set SMSFLOW_CMPP_PORT / SMSFLOW_SMPP_PORT / SMSFLOW_IMSP_PORT / SMSFLOW_MODEM_PORT to use other ports.`);
    process.exit(1);
  }
  const phones = await servePhonesPage(sims, DEMO_PORTS.phones, host);
  console.log('Simulators:');
  for (const line of sims.describe()) console.log(`  ${line}`);
  console.log(`  Phones     ${phones.url}  what the simulated phones received, as a person sees it`);

  const runtime = pickRuntime();
  const red = require.resolve(`${runtime}/red.js`);
  const version = require(`${runtime}/package.json`).version;
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', settingsFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  let log = '';
  let announced = false;
  let deployed = !fresh;
  const startedFlows = () => (log.match(/Started flows/g) || []).length;
  child.stdout.on('data', async (chunk) => {
    process.stdout.write(chunk);
    log += String(chunk);
    if (announced || !/Server now running/.test(log) || startedFlows() === 0) return;
    if (!deployed) {
      deployed = true;
      try {
        await deploy(demoFlow(sims, phones.url));
      } catch (err) {
        console.error(err.message);
      }
      return; // the runtime restarts its flows; announce when they have started again
    }
    if (fresh && startedFlows() < 2) return;
    announced = true;
    console.log(`\n  Node-RED ${version} is running with @smsflow/node-red-sms.\n` +
      `  Open http://${host}:${port}/ and press the button on the left of an Inject node in the demo flow;\n` +
      '  the Debug sidebar (the bug icon, top right) shows each send, the phone\'s reply and the delivery report.\n' +
      `  The simulated phones' inboxes: ${phones.url}\n` +
      '  Ctrl-C stops everything.\n');
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    child.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', async (code) => {
    await phones.close();
    await sims.stop();
    process.exit(stopping ? 0 : code ?? 1);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
