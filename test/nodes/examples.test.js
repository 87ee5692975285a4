'use strict';
// Every flow in examples/ imports into a running Node-RED and deploys with no error.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { helper, runtimeVersion, runtime } = require('../support/node-red');

const root = path.join(__dirname, '..', '..');
const ours = Object.values(require(path.join(root, 'package.json'))['node-red'].nodes).map((file) => require(path.join(root, file)));
const coreDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(require.resolve(`${runtime}/package.json`))] }));
const core = ['common/20-inject.js', 'common/21-debug.js', 'common/90-comment.js', 'common/25-catch.js', 'function/10-switch.js', 'function/15-change.js', 'function/80-template.js', 'function/89-delay.js']
  .map((file) => require(path.join(coreDir, 'core', file)));
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).sort();

describe(`examples (Node-RED ${runtimeVersion()})`, function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('has one flow per use case', () => {
    assert.deepEqual(examples.map((f) => f.replace(/^\d+ /, '').replace(/\.json$/, '')), [
      'Count SMS parts with sms split',
      'Send by IMSP (Chunghwa Telecom)',
      'Send by CMPP with delivery reports',
      'Receive and auto-reply by CMPP',
      'Send and receive with a GSM modem',
      'IoT alert with a rate limit',
    ]);
  });

  for (const file of examples) {
    it(`deploys "${file}" without errors, with a comment that explains it and no secret in it`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
      assert.ok(flow.some((n) => n.type === 'comment' && n.info.length > 80), 'a comment node explains the example');
      assert.ok(!JSON.stringify(flow).includes('"credentials"'), 'no credentials in an example');
      const known = new Set(['tab', 'comment', 'inject', 'debug', 'catch', 'switch', 'change', 'template', 'delay', 'sms-split', 'cmpp-connection', 'cmpp-submit', 'cmpp-deliver-in', 'imsp-account', 'imsp-send', 'modem-port', 'modem-pdu']);
      for (const n of flow) assert.ok(known.has(n.type), `${n.type} is a core node or one of ours`);
      const tab = { id: 'example-tab', type: 'tab', label: file };
      const configTypes = new Set(['cmpp-connection', 'imsp-account', 'modem-port']);
      await helper.load([...core, ...ours], [tab, ...flow.map((n) => (configTypes.has(n.type) ? n : { ...n, z: tab.id }))]);
      for (const n of flow) assert.ok(helper.getNode(n.id), `${n.type} ${n.id} started`);
      const errors = helper.log().args.filter((a) => a[0] && a[0].level === 20);
      assert.deepEqual(errors.map((a) => a[0].msg), []);
    });
  }
});
