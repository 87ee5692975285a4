'use strict';
// The demo flow and every example carry each property their nodes' forms
// have, so that a form opened on them shows what the node will do (and
// Update saves no undefined). The defaults are read from the forms.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { formDefaults } = require('../support/form-defaults');

const root = path.join(__dirname, '..', '..');
const defaults = formDefaults();
const flows = [path.join(root, 'scripts', 'demo-flow.json'), ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).map((f) => path.join(root, 'examples', f))];

describe('the demo flow and the examples', () => {
  it('reads the forms\' defaults of every node type the package registers', () => {
    const pkg = require(path.join(root, 'package.json'));
    assert.deepEqual(Object.keys(defaults).sort(), Object.keys(pkg['node-red'].nodes).sort());
    assert.equal(defaults['cmpp-connection'].port, 7890);
  });

  for (const file of flows) {
    it(`${path.basename(file)}: each node of the package has every property of its form`, () => {
      const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
      const missing = flow.filter((n) => defaults[n.type]).flatMap((n) => Object.keys(defaults[n.type]).filter((k) => !(k in n)).map((k) => `${n.id}.${k}`));
      assert.deepEqual(missing, []);
    });
  }
});
