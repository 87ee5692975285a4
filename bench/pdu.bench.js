'use strict';
// PDU encode and decode rates next to node-pdu, on the same messages in the
// same run: short texts, long texts in several parts, and received DELIVERs.
const nodePdu = require('node-pdu');
const { pdu } = require('../dist/src/internal');
const { compare, printTable } = require('./harness');

const TO = '+886912345678';
const SHORT = {
  'GSM 7-bit, 60 chars': 'Tank level low: 12 percent. Pump 3 stopped at 10:42, check.',
  'UCS-2, 30 chars': '機房溫度過高，請立即檢查冷氣系統是否正常運作，謝謝',
};
const LONG = {
  'GSM 7-bit, 400 chars (3 parts)': 'Tank level low: 12 percent. Pump 3 stopped at 10:42, check. '.repeat(7).slice(0, 400),
  'UCS-2, 150 chars (3 parts)': '機房溫度過高，請立即檢查冷氣系統是否正常運作，謝謝'.repeat(6),
};
const alphabetOf = (text) => (/^[\x20-\x7e]*$/.test(text) ? 'gsm7' : 'ucs2');

/** Reads a decoded text to its end, as a user would: a text still in pieces is joined here, on either side. */
const used = (text) => text.charCodeAt(text.length - 1);

/** The decoded texts must agree, or the row compares different work. */
function agree(name, ours, theirs) {
  if (ours !== theirs) throw new Error(`ours and node-pdu disagree on ${name}: "${ours}" / "${theirs}"`);
}

module.exports = function run() {
  const rows = [];
  const row = (name, result) => rows.push({ name, ours: result.ours, peer: result.peer, peerName: 'node-pdu' });
  for (const [name, text] of Object.entries(SHORT)) {
    const userData = { text, alphabet: alphabetOf(text) };
    const ours = pdu.encodeSubmit({ to: TO, userData }).hex;
    agree(name, pdu.decodeSubmit(ours).userData.text, pdu.decodeSubmit(new nodePdu.Submit(TO, text).toString()).userData.text);
    row(`encode SUBMIT: ${name}`, compare({
      ours: () => pdu.encodeSubmit({ to: TO, userData: { text, alphabet: alphabetOf(text) } }).hex,
      peer: () => new nodePdu.Submit(TO, text).toString(),
    }));
    const deliver = pdu.encodeDeliver({ from: TO, userData }).hex;
    agree(name, pdu.decodeReceived(deliver).userData.text, nodePdu.parse(deliver).data.getText());
    row(`decode DELIVER: ${name}`, compare({
      ours: () => used(pdu.decodeReceived(deliver).userData.text),
      peer: () => used(nodePdu.parse(deliver).data.getText()),
    }));
  }
  for (const [name, text] of Object.entries(LONG)) {
    const parts = pdu.submitsFor(TO, text, { reference: 7 }).pdus.map((p) => p.hex);
    if (parts.length !== 3) throw new Error(`${name}: ${parts.length} parts`);
    agree(name, parts.map((h) => pdu.decodeSubmit(h).userData.text).join(''), parts.map((h) => nodePdu.parse(h).data.getText()).join(''));
    row(`encode SUBMITs: ${name}`, compare({
      ours: () => pdu.submitsFor(TO, text, { reference: 7 }).pdus.map((p) => p.hex),
      peer: () => new nodePdu.Submit(TO, text).getPartStrings(),
    }));
    row(`decode SUBMITs: ${name}`, compare({
      ours: () => parts.map((h) => used(pdu.decodeSubmit(h).userData.text)),
      peer: () => parts.map((h) => used(nodePdu.parse(h).data.getText())),
    }));
  }
  printTable('PDU codec against node-pdu (messages per second)', rows);
  const worst = Math.min(...rows.map((r) => r.ours / r.peer));
  console.log(`  goal: ratio 5.00 on every row -> ${worst >= 5 ? 'met' : 'below goal'} (lowest ${worst.toFixed(2)})`);
};
