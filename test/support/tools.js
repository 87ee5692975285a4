'use strict';
// The tools some tests need (tshark, chromium, redis-server, gammu, socat).
// Outside CI a test whose tool is missing is skipped, saying so; under
// CI=true it fails instead, so that a green CI means each was really asked.
const { spawnSync } = require('node:child_process');

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * For a before() hook: nothing when `present`; else, under CI=true, an error
 * naming what is missing; elsewhere the notice and a skip of `context`.
 */
function needTool(context, present, what) {
  if (present) return;
  if (process.env.CI === 'true') throw new Error(`${what} is not installed: under CI=true this test needs it (.ci/run installs it)`);
  console.log(`    (skipped: ${what} is not installed; .ci/run installs it)`);
  context.skip();
}

module.exports = { has, needTool };
