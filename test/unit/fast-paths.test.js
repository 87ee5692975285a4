'use strict';
// The throughput work took short cuts on the common cases (plain correlation
// data, timestamps, one allocation for all parts, PDUs written in place).
// Each must give exactly what the general way gives: these tests compare the
// two over many generated inputs.
const assert = require('node:assert/strict');
const { store, pdu, segment, cmpp } = require('../../dist/src/internal');
const { toJson, fromJson } = require('../../dist/src/store/json');

/** A small deterministic generator, so that a failure can be reproduced. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function plainValue(rnd, depth = 0) {
  const kind = Math.floor(rnd() * (depth > 3 ? 6 : 8));
  switch (kind) {
    case 0: return Math.floor(rnd() * 1e6) - 5e5;
    case 1: return rnd() < 0.5 ? rnd() * 10 : [NaN, Infinity, -Infinity][Math.floor(rnd() * 3)];
    case 2: return `text ${Math.floor(rnd() * 100)} 警報`;
    case 3: return rnd() < 0.5;
    case 4: return null;
    case 5: return undefined;
    case 6: return Array.from({ length: Math.floor(rnd() * 4) }, () => plainValue(rnd, depth + 1));
    default: {
      const out = {};
      for (let i = Math.floor(rnd() * 4); i > 0; i--) out[`k${Math.floor(rnd() * 10)}`] = plainValue(rnd, depth + 1);
      return out;
    }
  }
}

describe('fast paths give what the general way gives', () => {
  it('jsonSafe copies plain data exactly as a JSON round trip would (500 generated values)', () => {
    const rnd = random(7);
    for (let i = 0; i < 500; i++) {
      const value = { correlation: plainValue(rnd), topic: 'alarm', list: [plainValue(rnd), undefined] };
      assert.deepEqual(store.jsonSafe(value), JSON.parse(JSON.stringify(value)), JSON.stringify(value));
    }
  });

  it('toJson writes what a replacer called for every key writes: Buffers as base64, anywhere, the record itself untouched (500 generated records)', () => {
    // The general way: JSON.stringify with a replacer that sees each value before its toJSON.
    const general = (value) => JSON.stringify(value, function (key, v) {
      return Buffer.isBuffer(this[key]) ? { $b64: this[key].toString('base64') } : v;
    });
    const rnd = random(11);
    const withBuffers = (v, depth = 0) => {
      if (rnd() < 0.15) return Buffer.from(`part ${Math.floor(rnd() * 1000)} 警`);
      if (Array.isArray(v)) return v.map((x) => withBuffers(x, depth + 1));
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withBuffers(x, depth + 1)]));
      return v;
    };
    for (let i = 0; i < 500; i++) {
      const record = { id: i, body: withBuffers(plainValue(rnd)), list: [withBuffers(plainValue(rnd)), Buffer.from([0, 255])], at: new Date(1e12 + i) };
      const before = general(record);
      assert.equal(toJson(record), before);
      assert.equal(general(record), before, 'the record is not changed');
      assert.deepEqual(fromJson(toJson(record)), JSON.parse(before, (k, v) => (v && typeof v.$b64 === 'string' ? Buffer.from(v.$b64, 'base64') : v)));
    }
  });

  it('jsonSafe still goes the JSON way for what is not plain data', () => {
    const when = new Date('2026-11-25T10:00:00Z');
    assert.deepEqual(store.jsonSafe({ when }), { when: '2026-11-25T10:00:00.000Z' });
    assert.ok(Buffer.isBuffer(store.jsonSafe({ b: Buffer.from('hi') }).b));
    const own = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const copy = store.jsonSafe(own);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype, 'an own __proto__ key never becomes the prototype');
    assert.equal({}.polluted, undefined);
    const cycle = { a: 1 };
    cycle.self = cycle;
    assert.deepEqual(store.jsonSafe(cycle), { a: 1 }, 'a cycle is left out, the rest kept');
  });

  it('a DELIVER timestamp reads as the same instant as parsing its ISO text (2000 generated times and zones)', () => {
    const rnd = random(11);
    for (let i = 0; i < 2000; i++) {
      const date = new Date(Date.UTC(2000 + Math.floor(rnd() * 60), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28), Math.floor(rnd() * 24), Math.floor(rnd() * 60), Math.floor(rnd() * 60)));
      const offsetMinutes = (Math.floor(rnd() * 97) - 48) * 15;
      const hex = pdu.encodeDeliver({ from: '+886912345678', timestamp: date, offsetMinutes, userData: { text: 'hi' } }).hex;
      const { timestamp } = pdu.decodeDeliver(hex);
      assert.equal(timestamp.date.getTime(), new Date(timestamp.iso).getTime(), timestamp.iso);
      assert.equal(timestamp.date.getTime(), date.getTime());
      assert.equal(timestamp.offsetMinutes, offsetMinutes);
    }
  });

  it('parts made together in one allocation hold the same bytes as parts made one by one, in any order asked', () => {
    const text = '機房溫度過高請立即檢查冷氣系統是否正常運作 🔥'.repeat(12);
    const together = segment(text, { reference: 42 });
    const reversed = segment(text, { reference: 42 });
    const lastFirst = [...reversed.parts].reverse().map((p) => Buffer.from(p.userData)).reverse();
    assert.ok(together.count > 2);
    together.parts.forEach((part, i) => {
      const udh = Buffer.from([0x05, 0x00, 0x03, 42, together.count, i + 1]);
      assert.deepEqual(part.userData.subarray(0, 6), udh);
      assert.equal(part.userData.length, 6 + part.length);
      assert.equal(Buffer.from(part.userData.subarray(6)).swap16().toString('utf16le'), part.text);
      assert.deepEqual(Buffer.from(part.userData), lastFirst[i]);
    });
  });

  it('a concatenation-only header written directly equals the one built from its element (all widths, 1000 generated)', () => {
    const udh = require('../../dist/src/text/udh');
    const rnd = random(5);
    for (let i = 0; i < 1000; i++) {
      const referenceBits = rnd() < 0.5 ? 8 : 16;
      const total = 1 + Math.floor(rnd() * 255);
      const c = { referenceBits, reference: Math.floor(rnd() * (referenceBits === 8 ? 256 : 65536)), total, sequence: 1 + Math.floor(rnd() * total) };
      assert.deepEqual(udh.concatHeader(c), udh.buildUdh([udh.concatElement(c)]), JSON.stringify(c));
    }
    assert.throws(() => udh.concatHeader({ referenceBits: 8, reference: 256, total: 2, sequence: 1 }), { code: 'SMS_FIELD', field: 'reference' });
  });

  it('a PDU written in place refuses user data past one SMS with a typed error', () => {
    assert.throws(() => pdu.encodeSubmit({ to: '+886912345678', userData: { raw: Buffer.alloc(141), length: 141, udhi: false, alphabet: '8bit' } }), { code: 'SMS_TOO_LONG' });
    assert.throws(() => pdu.encodeSubmit({ to: '+886912345678', userData: { text: '警'.repeat(71), alphabet: 'ucs2' } }), { code: 'SMS_TOO_LONG' });
  });

  it('a PDU with a bad hex digit names the digit and its place', () => {
    assert.throws(() => pdu.decodeReceived('0791AG'), { code: 'PDU_HEX', message: /"G" at position 6/ });
    assert.throws(() => pdu.decodeReceived('07 1AB'), { code: 'PDU_HEX', message: /" " at position 3/ });
  });

  it('Msg_Id 0 and any other Msg_Id encode to the same octets as their 64-bit value', () => {
    for (const id of ['0', '1', '12345678901234567890', '18446744073709551615']) {
      const frame = cmpp.encode({ command: 'SUBMIT_RESP', sequenceId: 9, body: { msgId: id, result: 0 } });
      assert.equal(frame.readBigUInt64BE(12), BigInt(id));
      assert.equal(cmpp.decode(frame).body.msgId, id);
    }
  });
});
