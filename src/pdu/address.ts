/**
 * Addresses (3GPP 23.040 §9.1.2.5): a length, the type of address (TON and
 * NPI) and the number in swapped semi-octets padded with F, or, for
 * alphanumeric senders, GSM 7-bit text.
 */
import { SmsError } from '../errors';
import { decodeGsm7, encodeGsm7 } from '../text/gsm7';
import { packSeptets, unpackSeptets } from '../text/septets';
import { Reader, Writer } from './octets';

export type NumberType = 'unknown' | 'international' | 'national' | 'network' | 'subscriber' | 'alphanumeric' | 'abbreviated';
const TON: NumberType[] = ['unknown', 'international', 'national', 'network', 'subscriber', 'alphanumeric', 'abbreviated', 'unknown'];

export interface Address {
  /** digits, with a leading + for an international number; the text of an alphanumeric sender */
  number: string;
  type: NumberType;
  /** numbering plan: 1 = ISDN/telephone (E.164) */
  plan: number;
}

const SEMI = '0123456789*#abc';

/** semi-octet value of each character code (digits, *, #, a, b, c in either case); -1: none */
const SEMI_VALUE = new Int8Array(128).fill(-1);
for (let v = 0; v < SEMI.length; v++) {
  SEMI_VALUE[SEMI.charCodeAt(v)] = v;
  SEMI_VALUE[SEMI.toUpperCase().charCodeAt(v)] = v;
}

export function swapSemiOctets(digits: string, field: string): Buffer {
  const out = Buffer.alloc(Math.ceil(digits.length / 2));
  swapSemiOctetsInto(digits, field, out, 0);
  return out;
}

/** Writes the swapped semi-octets of the digits from `from` at `at` (the octets need not be zero); returns the octets written. */
function swapSemiOctetsInto(digits: string, field: string, out: Uint8Array, at: number, from = 0): number {
  const count = digits.length - from;
  const octets = (count + 1) >> 1;
  for (let i = 0; i < count; i++) {
    const code = digits.charCodeAt(from + i);
    const v = code < 128 ? SEMI_VALUE[code] : -1;
    if (v < 0) throw new SmsError('SMS_FIELD', `${field}: "${digits[from + i]}" cannot be written as a semi-octet (digits, *, #, a, b, c)`, field);
    if (i % 2 === 0) out[at + (i >> 1)] = v;
    else out[at + (i >> 1)] |= v << 4;
  }
  if (count % 2) out[at + octets - 1] |= 0xf0;
  return octets;
}

export function readSemiOctets(bytes: Buffer, count: number, field: string, from = 0): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const v = i % 2 === 0 ? bytes[from + (i >> 1)] & 0x0f : bytes[from + (i >> 1)] >> 4;
    if (v === 0x0f) throw new SmsError('PDU_FIELD', `${field}: semi-octet ${i + 1} is the filler F inside the number`, field);
    out += SEMI[v];
  }
  return out;
}

/** An address from what a user writes: "+8613800138000", "0912345678", "ALERTS". */
export function parseAddress(text: string, field = 'address'): Address {
  const trimmed = String(text).trim();
  if (!trimmed) throw new SmsError('SMS_FIELD', `${field}: empty`, field);
  if (/^\+[0-9*#]+$/.test(trimmed)) return { number: trimmed, type: 'international', plan: 1 };
  if (/^[0-9*#]+$/.test(trimmed)) return { number: trimmed, type: 'unknown', plan: 1 };
  return { number: trimmed, type: 'alphanumeric', plan: 0 };
}

function typeOctet(a: Address): number {
  const ton = a.type === 'alphanumeric' ? 5 : Math.max(0, TON.indexOf(a.type));
  return 0x80 | (ton << 4) | (a.plan & 0x0f);
}

/** TP-OA / TP-DA / TP-RA: the length counts semi-octets of the number. */
export function writeAddress(w: Writer, a: Address, field: string): void {
  if (a.type === 'alphanumeric') {
    const septets = encodeGsm7(a.number);
    if (septets.length > 11) throw new SmsError('SMS_FIELD', `${field}: an alphanumeric address holds 11 GSM characters, "${a.number}" takes ${septets.length}`, field);
    const packed = packSeptets(septets);
    w.octet(Math.ceil((septets.length * 7) / 4))
      .octet(typeOctet(a))
      .bytes(packed);
    return;
  }
  const from = a.number.charCodeAt(0) === 0x2b ? 1 : 0; // the + is the type, not a digit
  const count = a.number.length - from;
  if (count > 20) throw new SmsError('SMS_FIELD', `${field}: at most 20 digits, "${a.number}" has ${count}`, field);
  w.octet(count).octet(typeOctet(a));
  swapSemiOctetsInto(a.number, field, w.buffer, w.reserve((count + 1) >> 1), from);
}

export function readAddress(r: Reader, field: string): Address {
  const length = r.octet(`${field} length`);
  if (length > 20) throw new SmsError('PDU_FIELD', `${field}: length ${length} semi-octets, at most 20`, field);
  const toa = r.octet(`${field} type`);
  const type = TON[(toa >> 4) & 0x07];
  const at = r.skip(Math.ceil(length / 2), field);
  if (type === 'alphanumeric') {
    const bytes = r.data.subarray(at, at + Math.ceil(length / 2));
    const septets = Math.floor((length * 4) / 7);
    return { number: decodeGsm7(unpackSeptets(bytes, septets)).replace(/@+$/, ''), type, plan: toa & 0x0f };
  }
  const digits = readSemiOctets(r.data, length, field, at);
  return { number: type === 'international' ? `+${digits}` : digits, type, plan: toa & 0x0f };
}

/** The SMSC prefix of AT PDU mode: a length in octets (0 = the modem's default SMSC). */
export function writeSmsc(w: Writer, smsc: string | null | undefined): void {
  if (!smsc) {
    w.octet(0);
    return;
  }
  const a = parseAddress(smsc, 'SMSC');
  if (a.type === 'alphanumeric') throw new SmsError('SMS_FIELD', `SMSC: "${smsc}" is not a number`, 'SMSC');
  const digits = swapSemiOctets(a.number.replace(/^\+/, ''), 'SMSC');
  w.octet(digits.length + 1)
    .octet(typeOctet(a))
    .bytes(digits);
}

export function readSmsc(r: Reader): string | undefined {
  const length = r.octet('SMSC length');
  if (length === 0) return undefined;
  if (length > 11) throw new SmsError('PDU_FIELD', `SMSC: length ${length} octets, at most 11`, 'SMSC');
  const toa = r.octet('SMSC type');
  const bytes = r.bytes(length - 1, 'SMSC');
  let digits = '';
  for (let i = 0; i < bytes.length * 2; i++) {
    const v = i % 2 === 0 ? bytes[i >> 1] & 0x0f : bytes[i >> 1] >> 4;
    if (v === 0x0f && i === bytes.length * 2 - 1) break;
    if (v > 0x0e) throw new SmsError('PDU_FIELD', `SMSC: semi-octet ${i + 1} is not a digit`, 'SMSC');
    digits += SEMI[v];
  }
  return ((toa >> 4) & 0x07) === 1 ? `+${digits}` : digits;
}
