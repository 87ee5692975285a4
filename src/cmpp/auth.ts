/**
 * CONNECT authentication (§7.4.1). The timestamp is taken once, in the
 * gateway's time zone (China, UTC+8, unless configured), and the same value
 * goes into the MD5 and the Timestamp field.
 */
import { createHash } from 'node:crypto';
import { Version, V3 } from './messages';

export const CHINA_UTC_OFFSET_MINUTES = 8 * 60;

/** MMDDHHMMSS in the given UTC offset, as text and as the number the Timestamp field carries. */
export function connectTimestamp(now: number, utcOffsetMinutes = CHINA_UTC_OFFSET_MINUTES): { text: string; value: number } {
  const t = new Date(now + utcOffsetMinutes * 60000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const text = two(t.getUTCMonth() + 1) + two(t.getUTCDate()) + two(t.getUTCHours()) + two(t.getUTCMinutes()) + two(t.getUTCSeconds());
  return { text, value: Number(text) };
}

/** Source_Addr as it stands in the field: 6 octets, padded with 0x00. */
export function sourceAddrOctets(sourceAddr: string): Buffer {
  const out = Buffer.alloc(6);
  Buffer.from(sourceAddr, 'latin1').copy(out, 0, 0, 6);
  return out;
}

/** MD5(Source_Addr + 9 zero octets + shared secret + timestamp) */
export function authenticatorSource(sourceAddr: string, secret: string, timestamp: string): Buffer {
  return createHash('md5').update(sourceAddrOctets(sourceAddr)).update(Buffer.alloc(9)).update(Buffer.from(secret, 'latin1')).update(Buffer.from(timestamp, 'latin1')).digest();
}

/** MD5(Status + AuthenticatorSource + shared secret); Status is 4 octets in 3.0, 1 in 2.0. */
export function authenticatorIsmg(status: number, source: Buffer, secret: string, version: Version = V3): Buffer {
  const statusOctets = Buffer.alloc(version === V3 ? 4 : 1);
  statusOctets.writeUIntBE(status, 0, statusOctets.length);
  return createHash('md5').update(statusOctets).update(source).update(Buffer.from(secret, 'latin1')).digest();
}
