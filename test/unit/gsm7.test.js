'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');
const { GSM_BASIC, GSM_EXTENSION, mulberry32, randomText, seed } = require('../support/random');

describe('GSM 7-bit alphabet (23.038)', () => {
  it('maps every basic character to its septet value and back', () => {
    // 0x1B is the escape, not a character; every other value is one character.
    const values = [...Array(128).keys()].filter((v) => v !== 0x1b);
    assert.equal(GSM_BASIC.length, 127);
    values.forEach((value, i) => {
      const ch = GSM_BASIC[i];
      assert.deepEqual([...core.encodeGsm7(ch)], [value], `encode ${JSON.stringify(ch)}`);
      assert.equal(core.decodeGsm7(Buffer.from([value])), ch);
    });
  });

  it('writes the extension table with the escape 0x1B', () => {
    const expected = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
    for (const [ch, code] of Object.entries(expected)) {
      assert.deepEqual([...core.encodeGsm7(ch)], [0x1b, code], ch);
      assert.equal(core.decodeGsm7(Buffer.from([0x1b, code])), ch);
    }
    assert.equal([...GSM_EXTENSION].length, 9);
  });

  it('counts septets, an extension character as two', () => {
    assert.equal(core.gsm7Length('abc'), 3);
    assert.equal(core.gsm7Length('a€{'), 5);
    assert.equal(core.gsm7Length('中'), -1);
    assert.equal(core.isGsm7('Ünïcode'), false, 'ï is not in the alphabet');
    assert.equal(core.isGsm7('Übung'), true);
  });

  it('names the character and its position when it cannot encode', () => {
    assert.throws(() => core.encodeGsm7('ab中'), (err) => err.code === 'SMS_ENCODING' && /"中" \(position 3\)/.test(err.message));
  });

  it('reads back random texts, Greek capitals and € among Latin-1 at any place, of every length up to a long message', () => {
    const s = seed();
    const r = mulberry32(s);
    for (let round = 0; round < 400; round++) {
      const text = randomText(r, 'gsmExtended', Math.floor(r() * 700));
      assert.equal(core.decodeGsm7(core.encodeGsm7(text)), text, `seed ${s}, round ${round}`);
      assert.equal(core.decodeGsm7(core.encodeGsm7(text, 'escape'), 'escape'), text, `seed ${s}, round ${round} (escape newlines)`);
    }
    assert.equal(core.decodeGsm7(core.encodeGsm7('Pump Ä3 ΔT=3°C? no: ΔT=3 €5 {ok}'.replace('°', ''))), 'Pump Ä3 ΔT=3C? no: ΔT=3 €5 {ok}');
  });

  it('reads an undefined extension code as its basic character, and a lone trailing escape as a space', () => {
    assert.equal(core.decodeGsm7(Buffer.from([0x1b, 0x41])), 'A');
    assert.equal(core.decodeGsm7(Buffer.from([0x41, 0x1b])), 'A ');
  });

  it('writes a line break as 1B 0A in the IMSP newline style, and reads it back', () => {
    assert.deepEqual([...core.encodeGsm7('a\nb', 'escape')], [0x61, 0x1b, 0x0a, 0x62]);
    assert.equal(core.decodeGsm7(Buffer.from([0x61, 0x1b, 0x0a, 0x62]), 'escape'), 'a\nb');
    assert.deepEqual([...core.encodeGsm7('a\nb')], [0x61, 0x0a, 0x62]);
  });
});

describe('septet packing', () => {
  // 23.038 §6.1.2.1.1 and the PDU tutorial: "hellohello" and "Hello!".
  const vectors = [
    { text: 'hellohello', fill: 0, hex: 'e8329bfd4697d9ec37' },
    { text: 'Hello!', fill: 0, hex: 'c8329bfd0e01' },
    { text: 'A', fill: 1, hex: '82' },
    { text: 'AB', fill: 1, hex: '8242' },
  ];
  for (const { text, fill, hex } of vectors) {
    it(`packs ${JSON.stringify(text)} with ${fill} fill bits as ${hex}`, () => {
      const septets = core.encodeGsm7(text);
      assert.equal(core.packSeptets(septets, fill).toString('hex'), hex);
      assert.equal(core.decodeGsm7(core.unpackSeptets(Buffer.from(hex, 'hex'), septets.length, fill)), text);
    });
  }

  it('packs and unpacks every length and fill for random septets', () => {
    for (let fill = 0; fill < 7; fill++) {
      for (let n = 0; n <= 40; n++) {
        const septets = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + fill * 11) & 0x7f));
        const packed = core.packSeptets(septets, fill);
        assert.equal(packed.length, Math.ceil((fill + n * 7) / 8));
        assert.deepEqual(core.unpackSeptets(packed, n, fill), septets);
      }
    }
  });

  it('gives the fill bits 23.040 asks for after a header', () => {
    assert.equal(core.fillBitsAfter(6), 1);
    assert.equal(core.fillBitsAfter(7), 0);
    assert.equal(core.fillBitsAfter(12), 2);
  });

  it('refuses to read more septets than the octets hold', () => {
    assert.throws(() => core.unpackSeptets(Buffer.from('c832', 'hex'), 6), (err) => err.code === 'SMS_TRUNCATED' && /6 septets need 6 octets, only 2/.test(err.message));
  });
});

describe('other text encodings', () => {
  it('writes UCS-2 big-endian and keeps surrogate pairs', () => {
    assert.equal(core.encodeText('家庭', 'ucs2').toString('hex'), '5bb65ead');
    assert.equal(core.encodeText('😀', 'ucs2').toString('hex'), 'd83dde00');
    assert.equal(core.decodeText(Buffer.from('d83dde00', 'hex'), 'ucs2'), '😀');
  });

  it('writes Big5 and GBK through iconv-lite', () => {
    // IMSP example 1: 家庭 in Big5 is %ae%61%ae%78 ("%aea%aex").
    assert.equal(core.encodeText('家庭', 'big5').toString('hex'), 'ae61ae78');
    assert.equal(core.decodeText(Buffer.from('ae61ae78', 'hex'), 'big5'), '家庭');
    assert.equal(core.encodeText('短信', 'gbk').toString('hex'), 'b6ccd0c5');
    assert.equal(core.decodeText(Buffer.from('b6ccd0c5', 'hex'), 'gbk'), '短信');
  });

  it('knows which characters an encoding lacks', () => {
    const at = (text, enc) => core.firstUnrepresentable(text, core.codecFor(enc));
    assert.equal(at('abc', 'ascii'), -1);
    assert.equal(at('abé', 'ascii'), 2);
    assert.equal(at('abé', 'latin1'), -1);
    assert.equal(at('a😀', 'ucs2'), -1);
    assert.equal(at('短信😀', 'gbk'), 2);
    assert.equal(at('家庭', 'big5'), -1);
    assert.equal(at('简体', 'big5'), 0, 'simplified characters are not in Big5');
  });
});
