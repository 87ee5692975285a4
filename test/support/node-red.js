'use strict';
// One test helper for every node test, bound to the Node-RED runtime under
// test: the node-red devDependency (5.x) by default, or the one named by
// NODE_RED_MODULE (npm run test:nr4 sets node-red-4, an alias of 4.1).
const helper = require('node-red-node-test-helper');

const runtime = process.env.NODE_RED_MODULE || 'node-red';
helper.init(require.resolve(runtime));

function runtimeVersion() {
  return require(`${runtime}/package.json`).version;
}

module.exports = { helper, runtimeVersion, runtime };
