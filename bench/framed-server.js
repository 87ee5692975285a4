'use strict';
// A TCP server for the bench's minimal gateways: it cuts the stream into
// length-prefixed frames (the first four octets give a frame's length) and
// writes the answers to all the frames of one read in one write.
const net = require('node:net');

/** Starts on a free loopback port; `answer(frame)` gives a Buffer or nothing. Resolves with { port, stop() }. */
async function startFramedServer(headerLength, answer) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const answers = [];
      while (pending.length >= headerLength && pending.length >= pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        const out = answer(pending.subarray(0, length));
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

module.exports = { startFramedServer };
