'use strict';
// A virtual modem behind serialport's mock binding: the driver talks to a real
// SerialPort stream; what it writes reaches the virtual modem, and what the
// virtual modem answers comes back through the binding's emitData.
const { PassThrough, Duplex } = require('node:stream');
const { SerialPortMock } = require('serialport');

function serialLine(virtualModem, path) {
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  return () => new Promise((resolve, reject) => {
    const port = new SerialPortMock({ path, baudRate: 115200, autoOpen: false });
    port.open((err) => {
      if (err) return reject(err);
      const binding = port.port;
      const toModem = new PassThrough();
      const modemEnd = new Duplex({
        read() {},
        write(chunk, _enc, done) {
          if (binding.isOpen) binding.emitData(chunk);
          done();
        },
      });
      toModem.on('data', (d) => modemEnd.push(d));
      binding.write = async (buffer) => {
        toModem.write(Buffer.from(buffer));
      };
      port.on('close', () => modemEnd.destroy());
      virtualModem.attach(modemEnd);
      resolve(port);
    });
  });
}

module.exports = { serialLine, SerialPortMock };
