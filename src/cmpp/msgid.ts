/**
 * Msg_Id (CMPP 3.0 §7.4.3.2): a 64-bit number made of the time the gateway
 * took the message (month, day, hour, minute, second), the gateway's code and
 * a sequence number. Everywhere in this package a Msg_Id is the decimal text
 * of that unsigned number ("canonical form"), so that ids compare, sort,
 * count (a mass submit's range is Msg_Id .. Msg_Id+n-1) and travel in JSON.
 */
import { SmsError } from '../errors';

export interface MsgIdFields {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** the gateway code as a number (bits 38..17) */
  gateway: number;
  /** bits 16..1 */
  sequence: number;
}

// [name, width in bits], most significant first: 4+5+5+6+6+22+16 = 64.
const LAYOUT: ReadonlyArray<[keyof MsgIdFields, number]> = [
  ['month', 4],
  ['day', 5],
  ['hour', 5],
  ['minute', 6],
  ['second', 6],
  ['gateway', 22],
  ['sequence', 16],
];

export function packMsgId(fields: MsgIdFields): string {
  let value = 0n;
  for (const [name, bits] of LAYOUT) {
    const v = fields[name];
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
      throw new SmsError('CMPP_FIELD', `Msg_Id ${name}: must be from 0 to ${2 ** bits - 1}, got ${v}`, 'Msg_Id');
    }
    value = (value << BigInt(bits)) | BigInt(v);
  }
  return value.toString();
}

export function unpackMsgId(id: string | Buffer): MsgIdFields {
  let value = Buffer.isBuffer(id) ? id.readBigUInt64BE(0) : toBigInt(id);
  const out = {} as MsgIdFields;
  for (let i = LAYOUT.length - 1; i >= 0; i--) {
    const [name, bits] = LAYOUT[i];
    out[name] = Number(value & ((1n << BigInt(bits)) - 1n));
    value >>= BigInt(bits);
  }
  return out;
}

function toBigInt(id: string): bigint {
  if (!/^\d{1,20}$/.test(id)) throw new SmsError('CMPP_FIELD', `Msg_Id: must be the decimal text of an unsigned 64-bit number, got "${id}"`, 'Msg_Id');
  const value = BigInt(id);
  if (value >= 1n << 64n) throw new SmsError('CMPP_FIELD', `Msg_Id: ${id} is past 2^64 - 1`, 'Msg_Id');
  return value;
}

export function msgIdToBuffer(id: string | Buffer): Buffer {
  if (Buffer.isBuffer(id)) {
    if (id.length !== 8) throw new SmsError('CMPP_FIELD', `Msg_Id: must be 8 octets, got ${id.length}`, 'Msg_Id');
    return id;
  }
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(toBigInt(String(id)));
  return out;
}

export function msgIdFromBuffer(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, 8).readBigUInt64BE(0).toString();
}

/**
 * The id `offset` places after `id` in a mass submit's range. Appendix 1: the
 * sequence number (bits 16..1) counts on and wraps to 0; the rest stays.
 */
export function msgIdPlus(id: string | Buffer, offset: number): string {
  if (offset === 0 && typeof id === 'string' && /^(0|[1-9]\d{0,18})$/.test(id)) return id; // the first recipient's: already canonical
  const value = Buffer.isBuffer(id) ? id.readBigUInt64BE(0) : toBigInt(id);
  const sequence = (value + BigInt(offset)) & 0xffffn;
  return ((value & ~0xffffn) | sequence).toString();
}
