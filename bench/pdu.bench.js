'use strict';
// PDU encode and decode rates next to node-pdu, on the same messages in the same run.
const nodePdu = require('node-pdu');
const { pdu } = require('../dist/src');
const { compare, printTable } = require('./harness');

const CASES = {
  'GSM 7-bit, 60 chars': 'Tank level low: 12 percent. Pump 3 stopped at 10:42, check.',
  'UCS-2, 30 chars': '機房溫度過高，請立即檢查冷氣系統是否正常運作，謝謝',
};

module.exports = function run() {
  const rows = [];
  for (const [name, text] of Object.entries(CASES)) {
    const ours = pdu.encodeSubmit({ to: '+886912345678', userData: { text, alphabet: /^[\x20-\x7e]*$/.test(text) ? 'gsm7' : 'ucs2' } }).hex;
    const theirs = new nodePdu.Submit('+886912345678', text).toString();
    const deliver = pdu.encodeDeliver({ from: '+886912345678', userData: { text, alphabet: /^[\x20-\x7e]*$/.test(text) ? 'gsm7' : 'ucs2' } }).hex;
    const encode = compare({
      ours: () => pdu.encodeSubmit({ to: '+886912345678', userData: { text, alphabet: /^[\x20-\x7e]*$/.test(text) ? 'gsm7' : 'ucs2' } }).hex,
      peer: () => new nodePdu.Submit('+886912345678', text).toString(),
    });
    const decode = compare({
      ours: () => pdu.decodeReceived(deliver).userData.text,
      peer: () => nodePdu.parse(deliver).data.getText(),
    });
    rows.push({ name: `encode SUBMIT: ${name}`, ours: encode.ours, peer: encode.peer, peerName: 'node-pdu' });
    rows.push({ name: `decode DELIVER: ${name}`, ours: decode.ours, peer: decode.peer, peerName: 'node-pdu' });
    if (pdu.decodeSubmit(theirs).userData.text !== pdu.decodeSubmit(ours).userData.text) throw new Error(`the two encoders disagree on ${name}`);
  }
  printTable('PDU codec against node-pdu (PDUs per second)', rows);
};
