'use strict';
// A minimal SMPP 3.4 SMSC for the bench, written from the specification's
// layouts with none of the package's code: it answers any bind with
// ESME_ROK, every submit_sm at once with a message_id, enquire_link and
// unbind. The raw loop meets the same server.
const { startFramedServer } = require('./framed-server');

const RESP = 0x80000000;
const BINDS = new Set([0x01, 0x02, 0x09]);
const SUBMIT_SM = 0x04;
const UNBIND = 0x06;
const ENQUIRE_LINK = 0x15;

function pdu(commandId, sequence, body = Buffer.alloc(0)) {
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt32BE(commandId, 4);
  out.writeUInt32BE(sequence, 12);
  body.copy(out, 16);
  return out;
}

function answer(frame, ids) {
  const commandId = frame.readUInt32BE(4);
  const sequence = frame.readUInt32BE(12);
  if (commandId === SUBMIT_SM) return pdu(SUBMIT_SM + RESP, sequence, Buffer.from(`${(ids.next++).toString(16)}\0`, 'latin1'));
  if (BINDS.has(commandId)) return pdu(commandId + RESP, sequence, Buffer.from('MINIMAL\0', 'latin1'));
  if (commandId === ENQUIRE_LINK || commandId === UNBIND) return pdu(commandId + RESP, sequence);
  return undefined;
}

function startMinimalSmsc() {
  const ids = { next: 0x10000 };
  return startFramedServer(16, (frame) => answer(frame, ids));
}

module.exports = { startMinimalSmsc };
