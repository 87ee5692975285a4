'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');
const examples = require('../fixtures/imsp-examples.json');

const hexOf = (part) => part.userData.toString('hex').toUpperCase();

describe('segmenter: the IMSP document examples, byte for byte', () => {
  it('example 5: 家庭 and the longer Chinese message as one UCS-2 message (msg_dcs 8)', () => {
    for (const ex of examples.example5) {
      const s = core.segment(ex.text, { target: 'imsp' });
      assert.equal(s.count, 1);
      assert.equal(s.code, ex.msg_dcs);
      assert.equal(hexOf(s.parts[0]), ex.msg.toUpperCase());
      assert.equal(s.parts[0].udh.length, 0);
    }
  });

  for (const name of ['example6', 'example7']) {
    const ex = examples[name];
    it(`${name}: ${ex.parts.length} parts, reference 0x${ex.reference.toString(16)}, msg_dcs ${ex.msg_dcs}`, () => {
      const s = core.segment(ex.text, { target: 'imsp', reference: ex.reference });
      assert.equal(s.code, ex.msg_dcs);
      assert.equal(s.count, ex.parts.length);
      assert.deepEqual(s.parts.map(hexOf), ex.parts);
      assert.equal(s.parts.map((p) => p.text).join(''), ex.text);
    });
  }

  it('example 8: GSM extension characters and line breaks as 1B xx (msg_dcs 3)', () => {
    const s = core.segment(examples.example8.text, { target: 'imsp' });
    assert.equal(s.encoding, 'gsm7');
    assert.equal(s.code, 3);
    assert.equal(hexOf(s.parts[0]), examples.example8.msg);
  });
});

describe('segmenter: limits per target', () => {
  const cases = [
    // [target, encoding, character, single limit, per part with 8-bit ref, per part with 16-bit ref]
    ['pdu', 'gsm7', 'a', 160, 153, 152],
    ['pdu', 'gsm7', '€', 80, 76, 76],
    ['pdu', 'ucs2', '中', 70, 67, 66],
    ['pdu', 'ucs2', '😀', 35, 33, 33],
    ['imsp', 'gsm7', 'a', 160, 153, 152],
    ['imsp', 'ucs2', '中', 70, 67, 66],
    ['imsp', 'ascii', 'a', 160, 153, 152],
    ['cmpp', 'ascii', 'a', 159, 134, 133],
    ['cmpp', 'ucs2', '中', 70, 67, 66],
    ['cmpp', 'gbk', '中', 70, 67, 66],
  ];
  for (const [target, encoding, ch, single, per8, per16] of cases) {
    it(`${target} ${encoding} "${ch}": ${single} in one, ${per8} / ${per16} per part`, () => {
      const opts = { target, encoding, reference: 1 };
      assert.equal(core.segment(ch.repeat(single), opts).count, 1);
      const over = core.segment(ch.repeat(single + 1), opts);
      assert.equal(over.count, 2);
      assert.equal([...over.parts[0].text].length, per8);
      assert.equal(core.segment(ch.repeat(per8 * 3), opts).count, 3, 'an exact multiple has no empty last part');
      assert.equal(core.segment(ch.repeat(per8 * 3 + 1), opts).count, 4);
      const sixteen = core.segment(ch.repeat(per16 * 2 + 1), { ...opts, referenceBits: 16 });
      assert.equal(sixteen.count, 3);
      assert.equal([...sixteen.parts[0].text].length, per16);
      for (const p of sixteen.parts) assert.equal(p.udh.length, 7);
    });
  }

  it('keeps every CMPP part within 140 octets, header included', () => {
    const s = core.segment('x'.repeat(1000), { target: 'cmpp', reference: 9 });
    for (const p of s.parts) assert.ok(p.userData.length <= 140, `${p.userData.length}`);
    assert.equal(s.code, 0);
  });

  it('chooses the cheapest encoding that writes the text exactly', () => {
    assert.equal(core.chooseEncoding('Hello {world}', 'pdu'), 'gsm7');
    assert.equal(core.chooseEncoding('Hello 世界', 'pdu'), 'ucs2');
    assert.equal(core.chooseEncoding('Grüße', 'pdu'), 'gsm7', 'ü and ß are in the GSM alphabet');
    assert.equal(core.chooseEncoding('ça va', 'pdu'), 'ucs2', 'ç is not (only Ç is)');
    assert.equal(core.chooseEncoding('Grüße', 'cmpp'), 'ucs2', 'CMPP has no GSM 7-bit: ASCII or UCS-2');
    assert.equal(core.chooseEncoding('Hello {world}', 'cmpp'), 'ascii');
    assert.equal(core.chooseEncoding('Hello {world}', 'imsp'), 'gsm7');
  });

  it('packs GSM 7-bit for PDU, with fill bits after the header', () => {
    const s = core.segment('a'.repeat(161), { target: 'pdu', reference: 0x12 });
    const first = s.parts[0];
    assert.equal(first.userDataLength, 160, 'TP-UDL counts header septets: 7 + 153');
    assert.equal(first.userData.length, 140);
    assert.equal(first.userData.subarray(0, 6).toString('hex'), '050003120201');
    assert.equal(first.userData[6] & 1, 0, 'one fill bit');
    const back = core.decodeGsm7(core.unpackSeptets(first.userData.subarray(6), 153, 1));
    assert.equal(back, first.text);
  });

  it('carries application ports in every part', () => {
    const s = core.segment('x'.repeat(300), { target: 'pdu', reference: 3, ports: { destination: 2948, source: 9200 } });
    assert.equal(s.count, 3, '160 septets less 13 for an 11-octet header: 147 a part');
    for (const p of s.parts) {
      const { udh } = core.parseUdh(p.userData);
      assert.deepEqual(udh.ports, { destination: 2948, source: 9200, portBits: 16 });
    }
    const one = core.segment('hi', { target: 'pdu', ports: { destination: 2948 } });
    assert.equal(one.parts[0].udh.toString('hex'), '0605040b840000');
  });

  it('splits a Buffer as binary data', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const s = core.segment(data, { target: 'cmpp', reference: 5 });
    assert.equal(s.encoding, 'binary');
    assert.equal(s.code, 4);
    assert.deepEqual(s.parts.map((p) => p.payload.length), [134, 134, 32]);
    assert.deepEqual(Buffer.concat(s.parts.map((p) => p.payload)), data);
  });
});

describe('segmenter: errors name the field and the limit', () => {
  const refuse = (fn, code, match) => assert.throws(fn, (err) => err instanceof core.SmsError && err.code === code && match.test(err.message));

  it('refuses text past 255 parts', () => {
    refuse(() => core.segment('a'.repeat(153 * 255 + 1), { target: 'pdu' }), 'SMS_TOO_LONG', /needs 256 parts of 153 characters \(gsm7\); one message holds at most 255 parts/);
    assert.equal(core.segment('a'.repeat(153 * 255), { target: 'pdu' }).count, 255);
  });
  it('refuses a character the chosen encoding lacks', () => {
    refuse(() => core.segment('abc中', { encoding: 'gsm7' }), 'SMS_ENCODING', /"中" \(U\+4E2D, position 4\) cannot be written in gsm7/);
  });
  it('refuses an encoding the target cannot carry', () => {
    refuse(() => core.segment('abc', { target: 'cmpp', encoding: 'gsm7' }), 'SMS_ENCODING', /cmpp cannot carry gsm7; it takes ascii, binary, ucs2, gbk/);
  });
  it('refuses long Big5 text for IMSP, which has no long Big5 messages', () => {
    refuse(() => core.segment('家'.repeat(71), { target: 'imsp', encoding: 'big5' }), 'SMS_TOO_LONG', /big5 carries a single message of at most 140 octets/);
    assert.equal(core.segment('家'.repeat(70), { target: 'imsp', encoding: 'big5' }).parts[0].userData.length, 140);
    assert.equal(core.segment('a'.repeat(160), { target: 'imsp', encoding: 'big5' }).count, 1, 'all-English Big5 holds 160 (note 7a)');
    refuse(() => core.segment('a'.repeat(161), { target: 'imsp', encoding: 'big5' }), 'SMS_TOO_LONG', /at most 160 octets/);
  });
  it('refuses what is neither text nor a Buffer, and unknown options', () => {
    refuse(() => core.segment(42), 'SMS_FIELD', /payload: must be text or a Buffer, got number/);
    refuse(() => core.segment('a', { target: 'xmpp' }), 'SMS_FIELD', /target: "xmpp" is not one of/);
    refuse(() => core.segment('a', { referenceBits: 12 }), 'SMS_FIELD', /referenceBits: must be 8 or 16/);
    refuse(() => core.segment('a', { encoding: 'utf8' }), 'SMS_ENCODING', /cannot carry utf8/);
  });
});

describe('reference allocator', () => {
  it('rolls per destination and wraps at the reference size', () => {
    const alloc = new core.ReferenceAllocator({ start: 254 });
    assert.deepEqual([alloc.allocate('a', 8), alloc.allocate('a', 8), alloc.allocate('a', 8)], [254, 255, 0]);
    assert.equal(alloc.allocate('b', 8), 254, 'another phone has its own counter');
    assert.equal(alloc.allocate('a', 16), 254);
    assert.equal(alloc.allocate('a', 16), 255);
    assert.equal(alloc.allocate('a', 16), 256, '16-bit references go past 255');
  });
  it('gives consecutive long messages to one phone different references', () => {
    const allocator = new core.ReferenceAllocator({ start: 10 });
    const refs = [1, 2, 3].map(() => core.segment('a'.repeat(200), { to: '0912345678', allocator }).reference);
    assert.deepEqual(refs, [10, 11, 12]);
    assert.equal(core.segment('short', { to: '0912345678', allocator }).reference, undefined, 'a single message uses none');
  });
  it('remembers a bounded number of destinations', () => {
    const alloc = new core.ReferenceAllocator({ start: 0, maxDestinations: 2 });
    alloc.allocate('a', 8); alloc.allocate('b', 8); alloc.allocate('c', 8);
    assert.equal(alloc.allocate('a', 8), 0, 'a was forgotten, the oldest');
    assert.equal(alloc.allocate('c', 8), 1);
  });
});

describe('segmenter: options from a msg or the admin endpoint', () => {
  for (const [key, value] of [['target', '__proto__'], ['target', 'constructor'], ['encoding', 'constructor'], ['encoding', '__proto__'], ['encoding', 'toString']]) {
    it(`answers ${key} "${value}" with a typed error that names the field`, () => {
      assert.throws(() => core.segment('hello', { [key]: value }), (e) => e instanceof core.SmsError && e.field === key && new RegExp(`"?${value}"?`).test(e.message));
    });
  }
  it('answers a port or reference width that is not 8 or 16 with a typed error', () => {
    assert.throws(() => core.segment('x', { ports: { destination: 5000, portBits: 12 } }), (e) => e.code === 'SMS_FIELD' && e.field === 'portBits');
  });
});

describe('segmenter: the header of a 16-bit reference', () => {
  it('writes the reference high octet first (06 08 04 RR RR TT NN), as the IMSP document and 3GPP 23.040 9.2.3.24.8 give it', () => {
    for (const target of ['pdu', 'imsp', 'cmpp', 'smpp']) {
      const split = core.segment('Pump 3 stopped at 10:42; tank level low, check the valves. '.repeat(4), { target, referenceBits: 16, reference: 0x1234 });
      assert.ok(split.count >= 2, target);
      split.parts.forEach((part, i) => assert.equal(part.udh.toString('hex'), `0608041234${split.count.toString(16).padStart(2, '0')}0${i + 1}`, `${target} part ${i + 1}`));
    }
  });
});

