'use strict';
// A minimal CMPP 3.0 gateway for the bench, written from the document's
// layouts with none of the package's code: it answers CONNECT (status 0, the
// AuthenticatorISMG the document gives), every SUBMIT at once with Result 0,
// ACTIVE_TEST and TERMINATE. It answers the raw loop's frames the same way,
// so both sides of a ratio meet the same server.
const crypto = require('node:crypto');
const { startFramedServer } = require('./framed-server');

const CONNECT = 0x00000001;
const TERMINATE = 0x00000002;
const SUBMIT = 0x00000004;
const ACTIVE_TEST = 0x00000008;
const RESP = 0x80000000;

function header(length, commandId, sequenceId) {
  const out = Buffer.alloc(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(commandId, 4);
  out.writeUInt32BE(sequenceId, 8);
  return out;
}

function answer(frame, secret, msgIds) {
  const commandId = frame.readUInt32BE(4);
  const sequenceId = frame.readUInt32BE(8);
  switch (commandId) {
    case SUBMIT: {
      const out = header(24, SUBMIT + RESP, sequenceId);
      out.writeBigUInt64BE(msgIds.next++, 12);
      return out;
    }
    case CONNECT: {
      const out = header(33, CONNECT + RESP, sequenceId);
      const source = frame.subarray(18, 34);
      crypto.createHash('md5').update(Buffer.alloc(4)).update(source).update(secret, 'latin1').digest().copy(out, 16);
      out[32] = 0x30;
      return out;
    }
    case ACTIVE_TEST:
      return header(13, ACTIVE_TEST + RESP, sequenceId);
    case TERMINATE:
      return header(12, TERMINATE + RESP, sequenceId);
    default:
      return undefined;
  }
}

/** Starts the gateway on a free loopback port; resolves with { port, stop() }. */
function startMinimalIsmg(secret = 'secret') {
  const msgIds = { next: 1n };
  return startFramedServer(12, (frame) => answer(frame, secret, msgIds));
}

module.exports = { startMinimalIsmg };
