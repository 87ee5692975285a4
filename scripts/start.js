'use strict';
// `npm start`: Node-RED with this package loaded and the demo flow deployed,
// in a user directory inside the project. Node-RED 5 needs Node 22.9 or later;
// on an older Node the 4.1 runtime (devDependency node-red-4) runs instead.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const userDir = process.env.SMSFLOW_USER_DIR || path.join(root, '.node-red-user');
const settingsFile = path.join(__dirname, 'demo-settings.js');

function pickRuntime() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 9) ? 'node-red' : 'node-red-4';
}

function prepareUserDir() {
  fs.mkdirSync(path.join(userDir, 'node_modules', '@smsflow'), { recursive: true });
  const link = path.join(userDir, 'node_modules', '@smsflow', 'node-red-sms');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  const pkg = path.join(userDir, 'package.json');
  if (!fs.existsSync(pkg)) {
    fs.writeFileSync(pkg, JSON.stringify({ name: 'smsflow-demo', private: true, dependencies: { '@smsflow/node-red-sms': 'file:..' } }, null, 2));
  }
  const flows = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flows) || process.argv.includes('--reset')) {
    fs.copyFileSync(path.join(root, 'examples', 'demo.json'), flows);
  }
}

async function main() {
  prepareUserDir();
  const runtime = pickRuntime();
  const red = require.resolve(`${runtime}/red.js`);
  const version = require(`${runtime}/package.json`).version;
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', settingsFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env },
  });
  const url = `http://${process.env.HOST || '127.0.0.1'}:${Number(process.env.PORT) || 1880}/`;
  let announced = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!announced && /Started flows/.test(String(chunk))) {
      announced = true;
      console.log(`\n  Node-RED ${version} is running with @smsflow/node-red-sms.\n` +
        `  Open ${url} and press the button on the left of an Inject node in the demo flow;\n` +
        '  the Debug sidebar (the bug icon, top right) shows what happened.\n' +
        '  Ctrl-C stops everything.\n');
    }
  });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 0 : 1));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
