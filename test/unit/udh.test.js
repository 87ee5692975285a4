'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');

// (name, elements and what they mean, bytes): one list drives build and parse.
const FIXTURES = [
  {
    name: 'concatenation, 8-bit reference (IMSP example 6: ref 0x4F, part 1 of 2)',
    build: [core.concatElement({ reference: 0x4f, total: 2, sequence: 1, referenceBits: 8 })],
    parsed: { concat: { reference: 0x4f, total: 2, sequence: 1, referenceBits: 8 } },
    hex: '0500034f0201',
  },
  {
    name: 'concatenation, 16-bit reference',
    build: [core.concatElement({ reference: 0xbeef, total: 3, sequence: 3, referenceBits: 16 })],
    parsed: { concat: { reference: 0xbeef, total: 3, sequence: 3, referenceBits: 16 } },
    hex: '060804beef0303',
  },
  {
    name: '16-bit application ports (IMSP example 3 port 50000)',
    build: [core.portsElement({ destination: 50000, source: 0, portBits: 16 })],
    parsed: { ports: { destination: 50000, source: 0, portBits: 16 } },
    hex: '060504c3500000',
  },
  {
    name: 'ports then concatenation, and an unknown element passed through',
    build: [
      core.portsElement({ destination: 0x0b84, source: 0x23f0, portBits: 16 }),
      core.concatElement({ reference: 7, total: 2, sequence: 2, referenceBits: 8 }),
      { id: 0x24, data: Buffer.from([0x01]) },
    ],
    parsed: {
      ports: { destination: 0x0b84, source: 0x23f0, portBits: 16 },
      concat: { reference: 7, total: 2, sequence: 2, referenceBits: 8 },
    },
    hex: '0e05040b8423f0000307020224' + '0101',
  },
];

const ERRORS = [
  { name: 'no header length', hex: '', code: 'SMS_TRUNCATED', match: /header length octet is missing/ },
  { name: 'header longer than the data', hex: '05000300', code: 'SMS_TRUNCATED', match: /header says 5 octets, only 3 present/ },
  { name: 'element cut short', hex: '03000501', code: 'SMS_MALFORMED', match: /element 0x00 says 5 octets, only 1 left/ },
  { name: 'concatenation element of the wrong size', hex: '0400020102', code: 'SMS_MALFORMED', match: /must carry 3 octets, has 2/ },
  { name: 'lone element id', hex: '0100', code: 'SMS_MALFORMED', match: /cut short/ },
];

describe('user data header', () => {
  for (const f of FIXTURES) {
    it(`builds ${f.name}`, () => {
      assert.equal(core.buildUdh(f.build).toString('hex'), f.hex);
      assert.equal(core.udhLength(f.build), f.hex.length / 2);
    });
    it(`parses ${f.name}`, () => {
      const { udh, length } = core.parseUdh(Buffer.from(f.hex + 'ffff', 'hex'));
      assert.equal(length, f.hex.length / 2);
      assert.deepEqual(udh.concat, f.parsed.concat);
      assert.deepEqual(udh.ports, f.parsed.ports);
      assert.deepEqual(udh.elements.map((e) => e.id), f.build.map((e) => e.id));
      assert.deepEqual(udh.elements.map((e) => e.data.toString('hex')), f.build.map((e) => e.data.toString('hex')));
    });
  }
  for (const e of ERRORS) {
    it(`refuses ${e.name}`, () => {
      assert.throws(() => core.parseUdh(Buffer.from(e.hex, 'hex')), (err) => err.code === e.code && e.match.test(err.message));
    });
  }
  it('checks element values and names the field', () => {
    assert.throws(() => core.concatElement({ reference: 256, total: 2, sequence: 1, referenceBits: 8 }), /reference: must be a whole number from 0 to 255, got 256/);
    assert.throws(() => core.concatElement({ reference: 1, total: 2, sequence: 3, referenceBits: 8 }), /sequence: must be a whole number from 1 to 2/);
    assert.throws(() => core.portsElement({ destination: 70000, source: 0, portBits: 16 }), /destination port: .* 0 to 65535/);
  });
});
