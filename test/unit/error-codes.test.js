'use strict';
// Every err.code of the typed list is explained in the README's error table.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

function codesInSource() {
  const text = fs.readFileSync(path.join(root, 'src', 'codes.ts'), 'utf8');
  const errorCode = /export type ErrorCode =([^;]+);/.exec(text)[1];
  const literals = [...errorCode.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]);
  const linkCodes = /export type LinkCode =([^;]+);/.exec(text)[1];
  const protocols = [.../export type Protocol =([^;]+);/.exec(text)[1].matchAll(/'([A-Z]+)'/g)].map((m) => m[1]);
  const perProtocol = protocols.flatMap((protocol) => [...linkCodes.matchAll(/'([A-Z_]+)'/g)].map((m) => `${protocol}_${m[1]}`));
  return [...new Set([...literals, ...perProtocol])];
}

describe('error codes', () => {
  it('the README explains every code in the typed list', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| `err.code` |'));
    const missing = codesInSource().filter((code) => !table.includes(`\`${code}\``));
    assert.deepEqual(missing, []);
  });
});
