'use strict';
// A gateway written with bare bytes, none of the package's code: a TCP
// server on a free loopback port that cuts the stream into length-prefixed
// frames (CMPP and SMPP both start a frame with its whole length) and hands
// each to the test, which answers with bytes of its own. It records every
// frame and the end of each stream in the order they came, so that a test
// can say what arrived before the peer's FIN.
const net = require('node:net');

function frame(commandId, sequence, body = Buffer.alloc(0), status) {
  const header = Buffer.alloc(status === undefined ? 12 : 16);
  header.writeUInt32BE(header.length + body.length, 0);
  header.writeUInt32BE(commandId >>> 0, 4);
  if (status === undefined) header.writeUInt32BE(sequence >>> 0, 8);
  else {
    header.writeUInt32BE(status >>> 0, 8);
    header.writeUInt32BE(sequence >>> 0, 12);
  }
  return Buffer.concat([header, body]);
}

/** `headerLength` 12 (CMPP: sequence at 8) or 16 (SMPP: status at 8, sequence at 12). */
async function rawPeer({ headerLength, onFrame }) {
  const events = [];
  const sockets = new Set();
  let connections = 0;
  const server = net.createServer((socket) => {
    const link = ++connections;
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= buffered.readUInt32BE(0)) {
        const length = buffered.readUInt32BE(0);
        const f = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const got = {
          link,
          commandId: f.readUInt32BE(4),
          sequence: f.readUInt32BE(headerLength === 16 ? 12 : 8),
          body: f.subarray(headerLength),
        };
        events.push(got);
        onFrame(socket, got, link);
      }
    });
    socket.on('end', () => {
      events.push({ link, end: true });
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    events,
    get connections() {
      return connections;
    },
    sockets,
    frames: (commandId) => events.filter((e) => e.commandId === commandId),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = { rawPeer, frame };
