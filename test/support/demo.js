'use strict';
// `npm start` (scripts/start.js) as the tests run it: the editor and every
// simulator of the demo on free loopback ports (none of the defaults that a
// user's own `npm start` on the same machine holds), and a wait for it that
// quotes what it printed when it does not come up.
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { until } = require('./wait');

/** Free loopback ports, held open together so that no two are the same, then let go for the demo to take. */
async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Starts the demo in `userDir` (with `env` besides); resolves with the child, its ports and its output so far. */
async function startDemo(userDir, env = {}) {
  const [editor, cmpp, smpp, imsp, modem, phones] = await freePorts(6);
  const demo = { ports: { editor, cmpp, smpp, imsp, modem, phones }, output: '' };
  demo.child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'start.js')], {
    env: {
      ...process.env, PORT: String(editor), SMSFLOW_USER_DIR: userDir, SMSFLOW_CMPP_PORT: String(cmpp), SMSFLOW_SMPP_PORT: String(smpp),
      SMSFLOW_IMSP_PORT: String(imsp), SMSFLOW_MODEM_PORT: String(modem), SMSFLOW_PHONES_PORT: String(phones), ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.child.stdout.on('data', (d) => { demo.output += d; });
  demo.child.stderr.on('data', (d) => { demo.output += d; });
  // The failure quotes what the demo printed by then (not what it had printed when the wait began).
  await until(() => /Ctrl-C stops everything/.test(demo.output), { timeoutMs: 60000, what: 'the demo to start' }).catch((err) => {
    demo.child.kill('SIGKILL');
    throw new Error(`${err.message}; it printed:\n${demo.output.slice(-3000)}`);
  });
  return demo;
}

module.exports = { freePorts, startDemo };
