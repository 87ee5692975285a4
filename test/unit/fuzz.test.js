'use strict';
// Every decoder and parser against a few thousand generated inputs: each
// input decodes or is refused with an SmsError, never anything else.
// `npm run fuzz` runs the same targets for long (100k inputs each).
const assert = require('node:assert/strict');
const { targets, fuzz } = require('../support/fuzz-targets');
const { seed } = require('../support/random');

describe('fuzzing every decoder and parser', function () {
  this.timeout(60000);
  const SEED = seed();
  for (const name of Object.keys(targets)) {
    it(`${name}: 3000 inputs, only results or typed errors (seed ${SEED})`, async () => {
      const report = await fuzz(name, 3000, SEED);
      assert.equal(report.crashes, 0, `${JSON.stringify(report.failures, null, 1)}`);
      const typed = [...report.kinds].filter(([k]) => k.startsWith('typed')).reduce((n, [, c]) => n + c, 0);
      assert.ok(report.kinds.get('ok') > 0 || name === 'cmpp reports', 'some inputs are valid (the generator is not all noise)');
      assert.ok(typed > 0, 'some inputs are refused (the generator does reach the error paths)');
    });
  }
});
