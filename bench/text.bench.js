'use strict';
// Segmenting throughput of the text core against split-sms on the same
// inputs, and the GSM 7-bit packer's rates.
const splitSms = require('split-sms');
const core = require('../dist/src/internal');
const { compare, printTable } = require('./harness');

const INPUTS = {
  'GSM short (40 chars)': 'Server room B: temperature 36C, check it',
  'GSM long (600 chars)': 'The quick brown fox jumps over the lazy dog. '.repeat(14).slice(0, 600),
  'GSM + extension (400)': 'Price {EUR} 10€ [approx] ~ ^ | \\ '.repeat(13).slice(0, 400),
  'UCS-2 CJK (300 chars)': '機房溫度過高請立即檢查冷氣系統是否正常運作'.repeat(15),
  'UCS-2 emoji mix (200)': '警報 🔥 temperature high 🚀 '.repeat(10),
};

module.exports = function run() {
  const rows = [];
  for (const [name, text] of Object.entries(INPUTS)) {
    const result = compare({
      ours: () => core.segment(text, { reference: 1 }),
      peer: () => splitSms.split(text),
    });
    rows.push({ name: `segment: ${name}`, ours: result.ours, peer: result.peer, peerName: 'split-sms' });
  }
  // Parts make their bytes when asked; these rows ask, which split-sms never does.
  for (const name of ['GSM long (600 chars)', 'UCS-2 CJK (300 chars)']) {
    const text = INPUTS[name];
    const result = compare({
      ours: () => core.segment(text, { reference: 1 }).parts.forEach((p) => p.userData),
      peer: () => splitSms.split(text),
    });
    rows.push({ name: `segment + bytes: ${name}`, ours: result.ours, peer: result.peer, peerName: 'split-sms' });
  }
  const text = INPUTS['GSM long (600 chars)'].slice(0, 153);
  const septets = core.encodeGsm7(text);
  const packed = core.packSeptets(septets, 1);
  const rates = compare({
    encode: () => core.packSeptets(core.encodeGsm7(text), 1),
    decode: () => core.decodeGsm7(core.unpackSeptets(packed, septets.length, 1)),
  });
  rows.push({ name: 'GSM 7-bit encode+pack (153 chars)', ours: rates.encode });
  rows.push({ name: 'GSM 7-bit unpack+decode (153 chars)', ours: rates.decode });
  printTable('Text core: segmenting against split-sms (messages per second)', rows);
  const lowest = (prefix) => Math.min(...rows.filter((r) => r.name.startsWith(prefix)).map((r) => r.ours / r.peer));
  console.log(`  goal: segment 2.00 on every row -> ${lowest('segment: ') >= 2 ? 'met' : 'below goal'} (lowest ${lowest('segment: ').toFixed(2)})`);
  console.log(`  goal: segment + bytes 1.00 on every row -> ${lowest('segment + bytes') >= 1 ? 'met' : 'below goal'} (lowest ${lowest('segment + bytes').toFixed(2)})`);
  return rows;
};
