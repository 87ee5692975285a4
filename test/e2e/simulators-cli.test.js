'use strict';
// The simulators' command line: the IMSP certificate is kept in a file, so
// --print-ca prints the same CA every time, even while the simulators run.
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { until } = require('../support/wait');
const { freePort } = require('../support/node-red-process');

const cli = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'simulators.js');

describe('smsflow-simulators', function () {
  this.timeout(20000);
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps its certificate in a file; --print-ca reads it while the simulators run, without starting anything', async () => {
    const cert = path.join(dir, 'ca.json');
    const first = spawnSync(process.execPath, [cli, '--cert', cert, '--print-ca'], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^-----BEGIN CERTIFICATE-----/);
    const [cmpp, smpp, imsp, modem] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const running = spawn(process.execPath, [cli, '--cert', cert, '--cmpp', String(cmpp), '--smpp', String(smpp), '--imsp', String(imsp), '--modem', String(modem)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    running.stdout.on('data', (c) => { out += c; });
    try {
      await until(() => /Ctrl-C stops them/.test(out), { what: 'the simulators to start' });
      assert.match(out, new RegExp(`SMPP SMSC  127\\.0\\.0\\.1:${smpp}  system_id smppclient1, password "password", SMPP 3\\.4`));
      const again = spawnSync(process.execPath, [cli, '--cert', cert, '--print-ca'], { encoding: 'utf8' });
      assert.equal(again.status, 0, `--print-ca failed while the simulators run: ${again.stderr}`);
      assert.equal(again.stdout, first.stdout, 'the same CA: a flow told to trust it keeps trusting it');
    } finally {
      running.kill('SIGINT');
    }
  });
});
