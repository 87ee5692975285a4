'use strict';
// Debian's redis-server, started by a test on a free loopback port, without persistence.
const { spawn, spawnSync } = require('node:child_process');
const { freePort } = require('./node-red-process');
const { until } = require('./wait');

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => { log += c; });
  await until(() => /Ready to accept connections/.test(log), { timeoutMs: 10000, what: 'redis-server to start' });
  return { url: `redis://127.0.0.1:${port}`, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGKILL'); }) };
}

module.exports = { hasRedis, startRedis };
