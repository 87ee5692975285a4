'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');
const { mulberry32, randomText, seed } = require('../support/random');

const SEED = seed();
const ALPHABETS = ['ascii', 'gsm', 'gsmExtended', 'cjk', 'emoji', 'mixed'];
const CONFIGS = [
  { target: 'pdu', referenceBits: 8 },
  { target: 'pdu', referenceBits: 16 },
  { target: 'imsp', referenceBits: 8 },
  { target: 'imsp', referenceBits: 16 },
  { target: 'cmpp', referenceBits: 8 },
  { target: 'cmpp', referenceBits: 16 },
];
// Lengths around every boundary: one message, one part of each size, many parts.
const LENGTHS = [0, 1, 33, 66, 67, 68, 70, 71, 133, 134, 135, 152, 153, 154, 159, 160, 161, 305, 306, 307, 459, 1000, 3000];

/** Reads a part back from what goes on the wire, not from the segmenter's own fields. */
function decodePart(part, s, target) {
  let body = part.userData;
  let fill = 0;
  let udhSeptets = 0;
  if (part.udh.length) {
    const { udh, length } = core.parseUdh(body);
    assert.equal(udh.concat ? udh.concat.sequence : 1, part.number);
    body = body.subarray(length);
    fill = core.fillBitsAfter(length);
    udhSeptets = Math.ceil((length * 8) / 7);
  }
  if (s.encoding === 'gsm7' && target === 'pdu') {
    return core.decodeGsm7(core.unpackSeptets(body, part.userDataLength - udhSeptets, fill));
  }
  return core.decodeText(body, s.encoding, target === 'imsp' ? 'escape' : 'lf');
}

function wireLimit(s, target) {
  if (s.encoding === 'gsm7' && target === 'pdu') return { field: 'userDataLength', max: 160 };
  if (target === 'imsp' && s.encoding === 'gsm7') return { field: 'octets', max: 160 };
  if (target === 'cmpp' && s.encoding === 'ascii' && s.count === 1) return { field: 'octets', max: 159 };
  return { field: 'octets', max: 140 };
}

function atomCosts(text, s, target) {
  const newline = target === 'imsp' ? 'escape' : 'lf';
  return Array.from(text, (ch) => core.encodeText(ch, s.encoding, newline).length);
}

describe(`segmenter properties (seed ${SEED}; SEED=${SEED} to replay)`, () => {
  const random = mulberry32(SEED);

  for (const config of CONFIGS) {
    it(`${config.target}, ${config.referenceBits}-bit references: any alphabet, any length`, () => {
      let checked = 0;
      for (const alphabet of ALPHABETS) {
        for (const base of LENGTHS) {
          const length = base + Math.floor(random() * 3);
          const text = randomText(random, alphabet, length);
          const s = core.segment(text, { ...config, reference: 0x42 });
          const where = `${alphabet} length ${text.length}: ${JSON.stringify(text.slice(0, 40))}`;

          // decoding the parts gives back the input
          const decoded = s.parts.map((p) => decodePart(p, s, config.target));
          assert.equal(decoded.join(''), text, where);
          assert.deepEqual(decoded, s.parts.map((p) => p.text), where);

          // no part over its limit
          const limit = wireLimit(s, config.target);
          for (const p of s.parts) {
            const size = limit.field === 'octets' ? p.userData.length : p.userDataLength;
            assert.ok(size <= limit.max, `${where}: part ${p.number} is ${size} > ${limit.max}`);
          }

          // no split escape, no split surrogate pair
          for (const p of s.parts) {
            if (s.encoding === 'gsm7') assert.notEqual(p.payload[p.payload.length - 1], 0x1b, `${where}: part ends in an escape`);
            const first = p.text.charCodeAt(0);
            const last = p.text.charCodeAt(p.text.length - 1);
            assert.ok(!(first >= 0xdc00 && first <= 0xdfff), `${where}: part starts with a low surrogate`);
            assert.ok(!(last >= 0xd800 && last <= 0xdbff), `${where}: part ends with a high surrogate`);
          }

          // the least number of parts: one when it all fits, else no full part
          // could have taken the next character (greedy in order is optimal)
          const costs = atomCosts(text, s, config.target);
          const totalCost = costs.reduce((a, b) => a + b, 0);
          if (s.count === 1) assert.ok(totalCost <= limit.max, where);
          else assert.ok(totalCost > (s.encoding === 'ascii' && config.target === 'cmpp' ? 159 : s.unit === 'septet' ? 160 : 140), `${where}: fits one message`);
          for (let n = 0; n < s.count - 1; n++) {
            const next = atomCosts(s.parts[n + 1].text, s, config.target)[0];
            const headerUnits = s.unit === 'septet' ? Math.ceil((s.parts[n].udh.length * 8) / 7) : s.parts[n].udh.length;
            const room = (s.unit === 'septet' ? 160 : 140) - headerUnits;
            assert.ok(s.parts[n].length + next > room, `${where}: part ${n + 1} had room for the next character`);
          }
          checked++;
        }
      }
      assert.equal(checked, ALPHABETS.length * LENGTHS.length);
    });
  }

  it('splits binary data of any length into parts that join back', () => {
    for (const length of [0, 1, 133, 134, 140, 141, 268, 269, 1000]) {
      const data = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      const s = core.segment(data, { target: 'pdu', reference: 1 });
      assert.deepEqual(Buffer.concat(s.parts.map((p) => p.payload)), data);
      assert.equal(s.count, length <= 140 ? 1 : Math.ceil(length / 134));
      for (const p of s.parts) assert.ok(p.userData.length <= 140);
    }
  });
});

describe(`segmenter against split-sms, an independent splitter (seed ${SEED})`, () => {
  const splitSms = require('split-sms');
  const random = mulberry32(SEED ^ 0x5eed);

  it('cuts random GSM and UCS-2 text at the same places (8-bit references, GSM limits)', () => {
    for (const alphabet of ALPHABETS) {
      for (const base of LENGTHS) {
        const text = randomText(random, alphabet, base + Math.floor(random() * 3));
        const theirs = splitSms.split(text);
        const ours = core.segment(text, { target: 'generic', reference: 1 });
        assert.equal(ours.encoding, theirs.characterSet === 'GSM' ? 'gsm7' : 'ucs2', `${alphabet} ${text.length}`);
        assert.deepEqual(ours.parts.map((p) => p.text), theirs.parts.map((p) => p.content), `${alphabet} ${text.length}`);
      }
    }
  });

  it('where split-sms is wrong: it drops characters a forced GSM encoding lacks, and miscounts a lone surrogate', () => {
    assert.equal(splitSms.split('10€ ça va', { characterset: 'GSM' }).parts[0].content, '10€  a va');
    assert.throws(() => core.segment('10€ ça va', { encoding: 'gsm7' }), /"ç" \(U\+00E7, position 5\)/);
    assert.equal(splitSms.split('a\uD83D').bytes, 6);
    assert.equal(core.segment('a\uD83D').parts[0].userData.length, 4);
  });
});
