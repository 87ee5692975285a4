'use strict';
// A minimal CMPP 3.0 gateway for the bench, written from the document's
// layouts with none of the package's code: it answers CONNECT (status 0, the
// AuthenticatorISMG the document gives), every SUBMIT at once with Result 0,
// ACTIVE_TEST and TERMINATE. It answers the raw loop's frames the same way,
// so both sides of a ratio meet the same server.
const crypto = require('node:crypto');
const net = require('node:net');

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
async function startMinimalIsmg(secret = 'secret') {
  const sockets = new Set();
  const msgIds = { next: 1n };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const answers = [];
      while (pending.length >= 12 && pending.length >= pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        const out = answer(pending.subarray(0, length), secret, msgIds);
        if (out) answers.push(out);
        pending = pending.subarray(length);
      }
      if (answers.length) socket.write(answers.length === 1 ? answers[0] : Buffer.concat(answers));
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stop: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startMinimalIsmg };
