'use strict';
// A real modem client, Gammu, against the virtual modem: through socat, which
// gives the modem's TCP port a pseudo-terminal as a serial port would be.
// `gammu identify`, `gammu sendsms` and `gammu getallsms` must work as with a
// modem on a cable. Skipped, with a notice, where gammu or socat is missing.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');

const { has, needTool } = require('../support/tools');

describe('Gammu against the virtual modem', function () {
  this.timeout(90000);
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

  before(async function () {
    needTool(this, has('gammu') && has('socat'), 'gammu or socat');
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
    // The SIM and the phone's memory are two stores: each message is listed once.
    assert.equal(all.out.split('got: Hello from Gammu').length - 1, 1, all.out);
  });

  it('gammu monitor runs its rounds: AT+CREG=1 / =2 are answered, and AT+CNMI=? is a question, not a setting', async () => {
    const modem = network.modems.get('886911111111');
    const r = await gammu('monitor', '1');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Network state\s*:\s*home network/i);
    assert.match(r.out, /SIM SMS status\s*:\s*\d+ used/);
    assert.match(r.out, /Phone SMS status\s*:\s*0 used/, 'the phone\'s memory is not the SIM');
    assert.ok(modem.commands.includes('AT+CREG=2'));
    assert.ok(modem.commands.includes('AT+CNMI=?'));
    // AT+CNMI=? asked, not taken as a setting: the modem still announces a new SMS as last told.
    const announced = [];
    const line = require('node:net').connect(await modem.listen(), '127.0.0.1');
    line.on('data', (d) => announced.push(String(d)));
    await new Promise((resolve) => line.once('connect', resolve));
    line.write('AT+CNMI=2,1,0,0,0\rAT+CNMI=?\r');
    await until(() => announced.join('').includes('+CNMI: (0-2)'), { what: 'the answer to AT+CNMI=?' });
    network.phone('+886933333333').send('+886911111111', 'ping');
    await until(() => /\+CMTI: "(SM|ME)",\d+/.test(announced.join('')), { what: 'the +CMTI' });
    line.destroy();
  });
});
