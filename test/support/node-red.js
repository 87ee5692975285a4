'use strict';
// One test helper for every node test, bound to the Node-RED runtime under
// test: the node-red devDependency (5.x) by default, or the one named by
// NODE_RED_MODULE (npm run test:nr4 sets node-red-4, an alias of 4.1).
// Each load gets a user directory of its own, so that the SQLite stores the
// config nodes keep there start empty.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');

const runtime = process.env.NODE_RED_MODULE || 'node-red';
helper.init(require.resolve(runtime));

const load = helper.load.bind(helper);
const userDirs = [];
helper.load = (...args) => {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-nr-'));
  userDirs.push(userDir);
  helper.settings({ userDir });
  return load(...args);
};
/** helper.load with a user directory the test prepared (one whose store folder cannot be made, say). */
helper.loadIn = (userDir, ...args) => {
  helper.settings({ userDir });
  return load(...args);
};
process.on('exit', () => {
  for (const dir of userDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function runtimeVersion() {
  return require(`${runtime}/package.json`).version;
}

module.exports = { helper, runtimeVersion, runtime };
