/**
 * TP-SCTS / TP-DT (23.040 §9.2.3.11): seven octets of swapped semi-octets,
 * the last one the time zone in quarters of an hour with its sign in bit 3;
 * and TP-VP (§9.2.3.12) in its relative, absolute and enhanced forms.
 */
import { isoDate } from '../clock';
import { SmsError } from '../errors';
import { Reader, Writer } from './octets';

export interface Timestamp {
  /** ISO 8601 with the sender's offset, e.g. 2003-03-12T08:36:45+08:00 */
  iso: string;
  /** the offset from UTC in minutes (a multiple of 15) */
  offsetMinutes: number;
  date: Date;
}

function bcd(octet: number, field: string, index: number): number {
  const tens = octet & 0x0f;
  const units = octet >> 4;
  if (tens > 9 || units > 9) throw new SmsError('PDU_FIELD', `${field}: octet ${index + 1} (0x${octet.toString(16).padStart(2, '0')}) is not two decimal digits`, field);
  return tens * 10 + units;
}

const toBcd = (n: number): number => ((n % 10) << 4) | Math.floor(n / 10);

/** "00" to "99" */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const two = (n: number): string => TWO_DIGITS[n] ?? String(n);

export function readTimestamp(r: Reader, field: string): Timestamp {
  const at = r.skip(7, field);
  const bytes = r.data;
  const yy = bcd(bytes[at], field, 0);
  const mo = bcd(bytes[at + 1], field, 1);
  const dd = bcd(bytes[at + 2], field, 2);
  const hh = bcd(bytes[at + 3], field, 3);
  const mi = bcd(bytes[at + 4], field, 4);
  const ss = bcd(bytes[at + 5], field, 5);
  const tzOctet = bytes[at + 6];
  const quarters = bcd(tzOctet & 0xf7, field, 6);
  const offsetMinutes = (tzOctet & 0x08 ? -1 : 1) * quarters * 15;
  const year = yy < 70 ? 2000 + yy : 1900 + yy;
  const iso = isoDate(String(year), two(mo), two(dd), two(hh), two(mi), two(ss), offsetMinutes);
  if (iso === undefined) {
    throw new SmsError('PDU_FIELD', `${field}: ${two(yy)}-${two(mo)}-${two(dd)} ${two(hh)}:${two(mi)}:${two(ss)} is not a date and time; the PDU is malformed or cut short`, field);
  }
  const date = new Date(Date.UTC(year, mo - 1, dd, hh, mi, ss) - offsetMinutes * 60000);
  return { iso, offsetMinutes, date };
}

/**
 * A service centre's time stamp (TP-SCTS, TP-DT), or undefined when the
 * centre wrote none: seven octets of zeros, which some do. Any other
 * impossible time is refused as readTimestamp refuses it: a PDU cut short
 * or shifted shows there first.
 */
export function readCentreTime(r: Reader, field: string): Timestamp | undefined {
  if (r.left >= 7 && r.data.subarray(r.at, r.at + 7).every((octet) => octet === 0)) {
    r.skip(7, field);
    return undefined;
  }
  return readTimestamp(r, field);
}

/** Writes `date` as seen at `offsetMinutes` from UTC (a multiple of 15). */
export function writeTimestamp(w: Writer, date: Date, offsetMinutes: number): void {
  if (offsetMinutes % 15 !== 0 || Math.abs(offsetMinutes) > 79 * 15) {
    throw new SmsError('SMS_FIELD', `time zone: a multiple of 15 minutes within ±19:45, got ${offsetMinutes} minutes`, 'time zone');
  }
  const t = new Date(date.getTime() + offsetMinutes * 60000);
  for (const n of [t.getUTCFullYear() % 100, t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()]) w.octet(toBcd(n));
  w.octet(toBcd(Math.abs(offsetMinutes) / 15) | (offsetMinutes < 0 ? 0x08 : 0));
}

export type Validity = { format: 'relative'; minutes: number } | { format: 'absolute'; date: Date; offsetMinutes?: number } | { format: 'enhanced'; seconds: number };

/** TP-VPF bits of the first octet. */
export const VPF = { none: 0, enhanced: 1, relative: 2, absolute: 3 } as const;

/** Relative TP-VP: the smallest code that lasts at least `minutes` (5 min .. 63 weeks). */
export function relativeCode(minutes: number): number {
  if (!(minutes > 0)) throw new SmsError('SMS_FIELD', `validity: a positive number of minutes, got ${minutes}`, 'validity');
  if (minutes <= 720) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 1440) return 143 + Math.ceil((minutes - 720) / 30);
  if (minutes <= 30 * 1440) return Math.max(168, 166 + Math.ceil(minutes / 1440));
  return Math.min(255, Math.max(197, 192 + Math.ceil(minutes / 10080)));
}

export function relativeMinutes(code: number): number {
  if (code <= 143) return (code + 1) * 5;
  if (code <= 167) return 720 + (code - 143) * 30;
  if (code <= 196) return (code - 166) * 1440;
  return (code - 192) * 10080;
}

export function writeValidity(w: Writer, v: Validity): void {
  if (v.format === 'relative') w.octet(relativeCode(v.minutes));
  else if (v.format === 'absolute') writeTimestamp(w, v.date, v.offsetMinutes ?? 0);
  else {
    // Enhanced: functionality octet then six octets; seconds up to 255 as such, longer as relative.
    const seconds = Math.round(v.seconds);
    if (seconds <= 255) w.octet(0x02).octet(seconds);
    else w.octet(0x01).octet(relativeCode(seconds / 60));
    for (let i = 0; i < 5; i++) w.octet(0);
  }
}

export function readValidity(r: Reader, vpf: number): Validity | undefined {
  if (vpf === VPF.none) return undefined;
  if (vpf === VPF.relative) return { format: 'relative', minutes: relativeMinutes(r.octet('TP-VP')) };
  if (vpf === VPF.absolute) {
    const t = readTimestamp(r, 'TP-VP');
    return { format: 'absolute', date: t.date, offsetMinutes: t.offsetMinutes };
  }
  const bytes = r.bytes(7, 'TP-VP');
  switch (bytes[0] & 0x07) {
    case 0:
      return undefined;
    case 1:
      return { format: 'enhanced', seconds: relativeMinutes(bytes[1]) * 60 };
    case 2:
      return { format: 'enhanced', seconds: bytes[1] };
    case 3: {
      const part = (i: number): number => bcd(bytes[i], 'TP-VP', i);
      return { format: 'enhanced', seconds: part(1) * 3600 + part(2) * 60 + part(3) };
    }
    default:
      throw new SmsError('PDU_FIELD', `TP-VP: enhanced format ${bytes[0] & 0x07} is reserved`, 'TP-VP');
  }
}
