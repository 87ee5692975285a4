'use strict';
// What the package adds to Node-RED's start: its node files load no channel,
// store, router, policy or codec until a node uses one, and the Redis client
// only when a store or a route asks for Redis. Checked in a process of its
// own (this one has loaded them all for other tests).
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
/** The modules loaded once `script` has run in a fresh process, relative to the package. */
const loadedBy = (script) =>
  JSON.parse(execFileSync(process.execPath, ['-e', `${script}; console.log(JSON.stringify(Object.keys(require.cache).map((k) => require('node:path').relative(process.cwd(), k)))); process.exit(0)`], { cwd: root, encoding: 'utf8', timeout: 20000 }));
const redisModules = (script) => loadedBy(script).filter((k) => k.includes('@redis')).length;
const everyNodeFile = () => {
  const pkg = require(path.join(root, 'package.json'));
  return [...Object.values(pkg['node-red'].nodes), ...Object.values(pkg['node-red'].plugins)].map((f) => `require('./${f}')`).join('; ');
};

describe('the core, loaded when a node uses it', () => {
  it('is not loaded with the node files: no channel, store, router, policy or codec, no iconv-lite', () => {
    const loaded = loadedBy(everyNodeFile());
    const heavy = loaded.filter((k) => /dist\/src\/(cmpp|smpp|imsp|modem|pdu|route|policy|text|link|account|tracking)\/|node_modules\/(iconv-lite|better-sqlite3)\//.test(k));
    assert.deepEqual(heavy, []);
    assert.ok(loaded.length < 50, `${loaded.length} modules: ${loaded.join(', ')}`);
  });

  it('loads a channel when a node of it asks, and only that channel', () => {
    const loaded = loadedBy(`${everyNodeFile()}; require('./dist/nodes/core.js').core.cmpp.CmppClient`);
    assert.ok(loaded.some((k) => k.startsWith('dist/src/cmpp/client.js')));
    assert.deepEqual(loaded.filter((k) => /dist\/src\/(smpp|imsp|modem|route|policy)\//.test(k)), []);
  });
});

describe('the Redis client, loaded when asked for', () => {
  it('is not loaded with the package and every node of it', () => {
    const pkg = require(path.join(root, 'package.json'));
    const nodes = Object.values(pkg['node-red'].nodes).map((f) => `require('./${f}')`).join('; ');
    assert.equal(redisModules(`require('./dist/src/index.js'); require('./dist/src/internal.js'); ${nodes}`), 0);
  });

  it('is loaded once a Redis store is made', () => {
    const made = "const { store } = require('./dist/src/internal.js'); const s = new store.RedisStore({ url: 'redis://127.0.0.1:1', prefix: 'p', instance: 'i', onError: () => {} })";
    assert.ok(redisModules(made) > 0);
  });
});
