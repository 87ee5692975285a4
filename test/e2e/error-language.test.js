'use strict';
// What a Catch node sees of a failed send, in a real Node-RED process whose
// runtime speaks Traditional Chinese (settings.lang): the words of the
// package in that language, the code and the carrier's own description as
// they are, and no "SmsError: " in front.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const testing = require('../../dist/src/testing');
const { NodeRedProcess } = require('../support/node-red-process');
const { until } = require('../support/wait');
const { lines, toFile } = require('../support/durable-flow');

describe('errors in the runtime\'s language', function () {
  this.timeout(60000);
  let red;
  let ismg;
  let dir;
  after(async () => {
    await red?.dispose();
    await ismg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a refused CMPP send reaches the Catch node in 正體中文 with its code and the gateway\'s word', async () => {
    ismg = new testing.IsmgSimulator({ reportDelayMs: 10 });
    ismg.faults.submitResult = 13;
    await ismg.start();
    red = await NodeRedProcess.create({ lang: 'zh-TW' });
    dir = fs.mkdtempSync(path.join(red.userDir, '..', 'smsflow-lang-'));
    const out = path.join(dir, 'caught.jsonl');
    await red.start();
    await red.deploy([
      { id: 'tab', type: 'tab', label: 'lang' },
      { id: 'conn', type: 'cmpp-connection', configVersion: 2, host: '127.0.0.1', port: ismg.port, spId: '901234', version: '3.0', srcId: '1069001', store: 'memory', credentials: { sharedSecret: 'secret' } },
      { id: 'in', z: 'tab', type: 'inject', props: [{ p: 'payload' }, { p: 'to', v: '13800138000', vt: 'str' }], payload: '告警', payloadType: 'str', once: true, onceDelay: 1, wires: [['send']] },
      { id: 'send', z: 'tab', type: 'cmpp-submit', configVersion: 2, connection: 'conn', to: '', encoding: 'auto', registeredDelivery: false, wires: [[]] },
      { id: 'catcher', z: 'tab', type: 'catch', scope: ['send'], uncaught: false, wires: [['caught-fmt']] },
      ...toFile('caught', out, 'msg.payload = JSON.stringify({ code: msg.error.code, message: msg.error.message }); return msg;'),
    ]);
    await until(() => lines(out).length === 1, { timeoutMs: 20000, what: 'the Catch node\'s msg' }).catch((err) => assert.fail(`${err.message}\n${red.log.slice(-2000)}`));
    const [caught] = lines(out);
    assert.equal(caught.code, 'CMPP_13');
    assert.match(caught.message, /^CMPP 發送至 13800138000 第 1 則失敗：Dest_terminal_Id error/);
    assert.ok(!caught.message.includes('SmsError'), caught.message);
  });
});
