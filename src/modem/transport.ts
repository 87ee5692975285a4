/**
 * The line to a modem: a serial port (through serialport) or a serial server
 * on the network, named tcp://host:port (ser2net and the like).
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { SmsError } from '../errors';

export async function openLine(port: string, baudRate = 115200): Promise<Duplex> {
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(port);
  if (tcp) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: tcp[1], port: Number(tcp[2]) });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', (err) => reject(new SmsError('MODEM_OPEN', `could not open ${port}: ${err.message}`)));
    });
  }
  if (!port) throw new SmsError('SMS_FIELD', 'port: give the serial port (e.g. /dev/ttyUSB0, COM3) or tcp://host:port', 'port');
  const { SerialPort } = await import('serialport');
  return new Promise((resolve, reject) => {
    const serial = new SerialPort({ path: port, baudRate, autoOpen: false });
    serial.open((err) => {
      if (err) reject(new SmsError('MODEM_OPEN', `could not open ${port}: ${err.message}`));
      else resolve(serial);
    });
  });
}
