'use strict';
// A real modem client, Gammu, against the virtual modem: through socat, which
// gives the modem's TCP port a pseudo-terminal as a serial port would be.
// `gammu identify`, `gammu sendsms` and `gammu getallsms` must work as with a
// modem on a cable. Skipped, with a notice, where gammu or socat is missing.
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('Gammu against the virtual modem', function () {
  this.timeout(90000);
  if (!has('gammu') || !has('socat')) {
    it('(skipped: gammu or socat is not installed; .ci/run installs them)');
    return;
  }
  let dir;
  let network;
  let phone;
  let socat;
  let config;
  // Not spawnSync: the virtual modem answers from this very process's event loop.
  const gammu = (...args) => new Promise((resolve) => {
    const child = spawn('gammu', ['-c', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const timer = setTimeout(() => child.kill(), 60000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-gammu-'));
    network = new testing.VirtualNetwork({ reportDelayMs: 50 });
    const modem = network.modem('+886911111111');
    phone = network.phone('+886922222222', (text) => `got: ${text}`);
    const port = await modem.listen();
    const tty = path.join(dir, 'ttyV0');
    socat = spawn('socat', [`pty,link=${tty},raw,echo=0`, `tcp:127.0.0.1:${port}`], { stdio: 'ignore' });
    await until(() => fs.existsSync(tty), { what: 'socat\'s pseudo-terminal' });
    config = path.join(dir, 'gammurc');
    fs.writeFileSync(config, `[gammu]\ndevice = ${tty}\nconnection = at\n`);
  });

  after(() => {
    socat?.kill();
    network?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gammu identify names the modem, its firmware, IMEI and IMSI', async () => {
    const r = await gammu('identify');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Manufacturer\s*:\s*smsflow/);
    assert.match(r.out, /IMEI\s*:\s*359000000000001/);
    assert.match(r.out, /SIM IMSI\s*:\s*466920000000001/);
  });

  it('gammu sendsms sends through it to the phone, and gammu getallsms reads the answer stored on the SIM', async () => {
    const sent = await gammu('sendsms', 'TEXT', '+886922222222', '-text', 'Hello from Gammu');
    assert.equal(sent.status, 0, sent.out);
    assert.match(sent.out, /OK, message reference=\d+/);
    await until(() => phone.inbox.some((m) => m.text === 'Hello from Gammu'), { what: 'the phone to get it' });
    await new Promise((r) => setTimeout(r, 500)); // the phone answers; the answer is stored on the SIM
    const all = await gammu('getallsms');
    assert.match(all.out, /got: Hello from Gammu/);
    assert.match(all.out, /Remote number\s*:\s*"\+886922222222"/);
  });
});
