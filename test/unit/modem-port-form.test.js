'use strict';
// The modem-port form takes every path the runtime opens: a device under
// /dev, a udev link under /run, a socat pseudo-terminal under /tmp, a COM
// port, a Windows device path or a tcp:// serial server; it refuses what the
// runtime could not open (a relative name, a tcp address without a port).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const html = fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'modem-port.html'), 'utf8');
const source = /port: \{ value: '', required: true, validate: lazyRule\('match', (\/.+\/i), 'serial'\) \}/.exec(html)[1];
// eslint-disable-next-line no-new-func
const rule = new Function(`return ${source};`)();

describe('modem-port form: the serial path', () => {
  for (const ok of ['/dev/ttyUSB0', '/dev/serial/by-id/usb-HUAWEI_Mobile-if00-port0', '/run/modem0', '/tmp/ttyV0', 'COM3', '\\\\.\\COM12', 'tcp://127.0.0.1:7000', 'tcp://modem.local:2000/']) {
    it(`takes ${ok}`, () => assert.ok(rule.test(ok)));
  }
  for (const bad of ['ttyUSB0', 'tcp://127.0.0.1', 'dev/ttyUSB0', '/dev/tty USB0']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.ok(!rule.test(bad)));
  }
});
