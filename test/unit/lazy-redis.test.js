'use strict';
// The Redis client is most of what the package would add to Node-RED's
// start: it loads only when a store or a route asks for Redis. Checked in a
// process of its own (this one may have loaded it for other tests).
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const redisModules = (script) =>
  JSON.parse(execFileSync(process.execPath, ['-e', `${script}; console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@redis')).length)); process.exit(0)`], { cwd: root, encoding: 'utf8', timeout: 20000 }));

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
