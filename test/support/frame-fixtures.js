'use strict';
// One driver for byte-exact protocol fixtures kept as data: each fixture is
// a message object and its frame annotated field by field. The generate test
// encodes the object and compares octets, naming the first field that
// differs; the parse test decodes the frame and compares the object.
const assert = require('node:assert/strict');

/** JSON to values: {"hex": "..."} becomes a Buffer. */
function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    if (typeof value.hex === 'string' && Object.keys(value).length === 1) return Buffer.from(value.hex, 'hex');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

function firstDifference(fields, actual) {
  let at = 0;
  for (const [name, hex] of fields) {
    const expected = Buffer.from(hex, 'hex');
    const got = actual.subarray(at, at + expected.length);
    if (!got.equals(expected)) return `${name} at offset ${at}: expected ${hex}, got ${got.toString('hex')}`;
    at += expected.length;
  }
  return at === actual.length ? undefined : `${actual.length - at} octets after the last field`;
}

/** Registers a parse and a generate test per fixture. */
function frameFixtureTests(fixtures, { encode, decode, extra }) {
  for (const fixture of fixtures) {
    const bytes = Buffer.from(fixture.fields.map(([, hex]) => hex).join(''), 'hex');
    const message = revive(fixture.message);
    it(`generates ${fixture.name}`, () => {
      const out = encode(message, fixture);
      assert.equal(firstDifference(fixture.fields, out), undefined);
    });
    it(`parses ${fixture.name}`, () => {
      assert.deepEqual(decode(bytes, fixture), message);
      if (extra) extra(decode(bytes, fixture), fixture);
    });
  }
}

module.exports = { frameFixtureTests, revive };
