'use strict';
const assert = require('node:assert/strict');
const { helper, runtimeVersion } = require('../support/node-red');
const smsSplit = require('../../dist/nodes/sms-split.js');
const examples = require('../fixtures/imsp-examples.json');

function flow(settings) {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'split', z: 'tab', type: 'sms-split', name: '', target: 'generic', encoding: 'auto', referenceBits: '8', output: 'parts', wires: [['out']], ...settings },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function collect(node, count) {
  return new Promise((resolve) => {
    const got = [];
    node.on('input', (msg) => {
      got.push(msg);
      if (got.length === count) resolve(got);
    });
  });
}

describe(`sms-split node (Node-RED ${runtimeVersion()})`, function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('loads with its name', async () => {
    await helper.load(smsSplit, flow({ name: 'parts counter' }));
    assert.equal(helper.getNode('split').name, 'parts counter');
  });

  it('sends one message per part, carrying the IMSP hex of example 7', async () => {
    await helper.load(smsSplit, flow({ target: 'imsp' }));
    const out = collect(helper.getNode('out'), 3);
    helper.getNode('split').receive({ payload: examples.example7.text, reference: examples.example7.reference, topic: 'keep me' });
    const msgs = await out;
    assert.deepEqual(msgs.map((m) => m.payload.hex), examples.example7.parts);
    assert.deepEqual(msgs.map((m) => [m.payload.part, m.payload.total, m.payload.count]), [[1, 3, 3], [2, 3, 3], [3, 3, 3]]);
    assert.ok(msgs.every((m) => m.topic === 'keep me' && m.payload.encoding === 'gsm7' && m.payload.code === 3));
    assert.equal(msgs[0].payload.udh, '050003640301');
    assert.equal(msgs.map((m) => m.payload.text).join(''), examples.example7.text);
    assert.notEqual(msgs[0], msgs[1], 'each part is its own msg object');
  });

  it('sends one message with all parts and the cost in SMS', async () => {
    await helper.load(smsSplit, flow({ target: 'pdu', output: 'all', referenceBits: '16' }));
    const out = collect(helper.getNode('out'), 1);
    helper.getNode('split').receive({ payload: '溫度過高 🔥 '.repeat(20), to: '+886912345678' });
    const [msg] = await out;
    const p = msg.payload;
    assert.equal(p.encoding, 'ucs2');
    assert.equal(p.code, 8);
    assert.equal(p.referenceBits, 16);
    assert.equal(p.count, 3, '320 octets at 132 a part');
    assert.equal(p.parts.length, 3);
    assert.ok(Buffer.isBuffer(p.parts[0].bytes));
    assert.equal(p.parts[0].bytes.length, 7 + 132);
    assert.equal(p.parts[0].hex, undefined, 'hex is for IMSP only');
    assert.match(p.parts[0].udh, /^060804[0-9A-F]{4}0301$/);
  });

  it('gives a single SMS no reference key at all (not reference: undefined)', async () => {
    await helper.load(smsSplit, flow({ output: 'all' }));
    const out = collect(helper.getNode('out'), 1);
    helper.getNode('split').receive({ payload: 'Pump 3 stopped.' });
    const [msg] = await out;
    assert.deepEqual(Object.keys(msg.payload).sort(), ['code', 'count', 'encoding', 'parts', 'referenceBits', 'target']);
    assert.equal(msg.payload.count, 1);
  });

  it('takes the target and encoding from the msg over the settings', async () => {
    await helper.load(smsSplit, flow({ output: 'all' }));
    const out = collect(helper.getNode('out'), 1);
    helper.getNode('split').receive({ payload: 'hello', target: 'cmpp', encoding: 'ucs2' });
    const [msg] = await out;
    assert.equal(msg.payload.target, 'cmpp');
    assert.equal(msg.payload.encoding, 'ucs2');
    assert.equal(msg.payload.parts[0].bytes.toString('hex'), '00680065006c006c006f');
  });

  it('reports text it cannot send to a Catch node, with the reason and the msg', async () => {
    await helper.load(smsSplit, flow({ encoding: 'gsm7' }));
    const caught = collect(helper.getNode('caught'), 1);
    helper.getNode('split').receive({ payload: '溫度', _marker: 42 });
    const [msg] = await caught;
    assert.equal(msg._marker, 42);
    assert.match(msg.error.message, /"溫" \(U\+6EAB, position 1\) cannot be written in gsm7/);
  });

  it('serves the live part count the editor shows for a static message', async () => {
    await helper.load(smsSplit, flow({}));
    const res = await helper.request().get('/smsflow/segment').query({ text: '家'.repeat(71), target: 'imsp' }).expect(200);
    assert.deepEqual(res.body, { count: 2, encoding: 'ucs2', code: 8, perPart: 67 });
    // What a part holds, not what the first part happens to carry: emoji take two UTF-16 units.
    const emoji = await helper.request().get('/smsflow/segment').query({ text: '😀'.repeat(40), target: 'imsp' }).expect(200);
    assert.deepEqual([emoji.body.count, emoji.body.perPart], [2, 67]);
    const gsm = await helper.request().get('/smsflow/segment').query({ text: 'x'.repeat(200), target: 'pdu' }).expect(200);
    assert.deepEqual([gsm.body.count, gsm.body.perPart], [2, 153]);
    const bad = await helper.request().get('/smsflow/segment').query({ text: '家', target: 'cmpp', encoding: 'ascii' }).expect(400);
    assert.match(bad.body.error, /"家" \(U\+5BB6, position 1\) cannot be written in ascii/);
  });

  it('shows the cost in its status', async () => {
    await helper.load(smsSplit, flow({}));
    const node = helper.getNode('split');
    const statuses = [];
    const orig = node.status.bind(node);
    node.status = (s) => { statuses.push(s); orig(s); };
    const out = collect(helper.getNode('out'), 2);
    node.receive({ payload: 'x'.repeat(200) });
    await out;
    // A key with its values, which the editor translates; test/unit/locales.test.js checks the words.
    assert.deepEqual(statuses.pop(), { fill: 'green', shape: 'dot', text: '@smsflow/node-red-sms/sms-split:sms-split.status.parts|{"count":2,"encoding":"gsm7"}' });
  });
});
