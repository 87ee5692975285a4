/**
 * SMS-SUBMIT, SMS-DELIVER and SMS-STATUS-REPORT (3GPP 23.040 §9.2.2), with
 * or without the SMSC prefix that AT PDU mode puts in front.
 */
import { SmsError } from '../errors';
import { codecFor } from '../text/codecs';
import { decodeGsm7, encodeGsm7 } from '../text/gsm7';
import { packedLength, packSeptetsInto, unpackSeptets } from '../text/septets';
import { parseUdh, Udh } from '../text/udh';
import { Address, parseAddress, readAddress, readSmsc, writeAddress, writeSmsc } from './address';
import { DataCoding, decodeDcs, encodeDcs } from './dcs';
import { fromHex, Reader, Writer } from './octets';
import { readCentreTime, readValidity, Timestamp, Validity, VPF, writeTimestamp, writeValidity } from './time';

export interface UserData {
  /** decoded text (GSM 7-bit or UCS-2), or undefined for 8-bit data */
  text?: string;
  /** the octets after the header (8-bit data; the encoded text otherwise) */
  data: Buffer;
  udh?: Udh;
  /** TP-UDL and TP-UD as they came (header included, GSM 7-bit still packed) */
  udl: number;
  raw: Buffer;
}

export interface Submit {
  type: 'SMS-SUBMIT';
  smsc?: string;
  /** TP-MR */
  reference: number;
  to: Address;
  pid: number;
  dcs: DataCoding;
  validity?: Validity;
  statusReport: boolean;
  rejectDuplicates: boolean;
  replyPath: boolean;
  userData: UserData;
}

export interface Deliver {
  type: 'SMS-DELIVER';
  smsc?: string;
  from: Address;
  pid: number;
  dcs: DataCoding;
  /** when the SC took the message; undefined when it gave no time (zeros) */
  timestamp?: Timestamp;
  moreMessages: boolean;
  statusReportIndication: boolean;
  replyPath: boolean;
  userData: UserData;
}

export interface StatusReport {
  type: 'SMS-STATUS-REPORT';
  smsc?: string;
  /** TP-MR of the SMS-SUBMIT it answers */
  reference: number;
  recipient: Address;
  /** when the SC took the message; undefined when it gave no time (zeros) */
  timestamp?: Timestamp;
  /** when the state below was reached; undefined when the SC gave no time */
  dischargeTime?: Timestamp;
  /** TP-ST */
  status: number;
}

export type Tpdu = Submit | Deliver | StatusReport;

export interface Encoded {
  /** the PDU as AT+CMGS / +CMT carry it (SMSC prefix included when asked) */
  hex: string;
  /** octets after the SMSC prefix: the length AT+CMGS takes */
  tpduLength: number;
}

/** What user data to write: text in an alphabet, or octets already made (header included). */
export type UserDataInput = { text: string; alphabet?: 'gsm7' | 'ucs2' } | { data: Buffer } | { raw: Buffer; length: number; udhi: boolean; alphabet: 'gsm7' | '8bit' | 'ucs2' };

interface PreparedUserData {
  udl: number;
  udhi: boolean;
  alphabet: 'gsm7' | '8bit' | 'ucs2';
  /** octets as they go (data, or user data already made) */
  ud?: Buffer;
  /** septet values to pack */
  septets?: Buffer;
  /** text to write as UCS-2 */
  ucs2?: string;
}

function prepare(input: UserDataInput): PreparedUserData {
  if ('raw' in input) {
    if (input.raw.length > 140) throw new SmsError('SMS_TOO_LONG', `TP-UD: ${input.raw.length} octets, one SMS holds 140; split it first`, 'TP-UD');
    return { udl: input.length, ud: input.raw, udhi: input.udhi, alphabet: input.alphabet };
  }
  if ('data' in input) {
    if (input.data.length > 140) throw new SmsError('SMS_TOO_LONG', `TP-UD: ${input.data.length} octets, one SMS holds 140; split it first`, 'TP-UD');
    return { udl: input.data.length, ud: input.data, udhi: false, alphabet: '8bit' };
  }
  const alphabet = input.alphabet ?? 'gsm7';
  if (alphabet === 'gsm7') {
    const septets = encodeGsm7(input.text);
    if (septets.length > 160) throw new SmsError('SMS_TOO_LONG', `TP-UD: ${septets.length} septets, one SMS holds 160; split it first`, 'TP-UD');
    return { udl: septets.length, septets, udhi: false, alphabet };
  }
  const octets = input.text.length * 2;
  if (octets > 140) throw new SmsError('SMS_TOO_LONG', `TP-UD: ${octets} octets of UCS-2, one SMS holds 140; split it first`, 'TP-UD');
  return { udl: octets, ucs2: input.text, udhi: false, alphabet };
}

/** TP-UDL and TP-UD, written in place. */
function writeUserData(w: Writer, ud: PreparedUserData): void {
  w.octet(ud.udl);
  if (ud.ud) {
    w.bytes(ud.ud);
  } else if (ud.septets) {
    const at = w.reserve(packedLength(ud.septets.length), 0);
    packSeptetsInto(ud.septets, w.buffer, at);
  } else {
    const text = ud.ucs2 as string;
    const at = w.reserve(text.length * 2);
    UCS2.encodeInto(text, w.buffer, at);
  }
}

const UCS2 = codecFor('ucs2');

function readUserData(r: Reader, udhi: boolean, dcs: DataCoding): UserData {
  const udl = r.octet('TP-UDL');
  const septets = dcs.alphabet === 'gsm7';
  if (udl > (septets ? 160 : 140)) throw new SmsError('PDU_LENGTH', `TP-UDL: ${udl} ${septets ? 'septets' : 'octets'}, at most ${septets ? 160 : 140}`, 'TP-UDL');
  const octets = septets ? Math.ceil((udl * 7) / 8) : udl;
  if (r.left < octets) {
    throw new SmsError('PDU_TRUNCATED', `TP-UD: TP-UDL says ${udl} ${septets ? 'septets' : 'octets'} (${octets} octets), only ${r.left} present; the PDU is cut short`, 'TP-UD');
  }
  const ud = r.bytes(octets, 'TP-UD');
  r.end();
  let udh: Udh | undefined;
  let headerOctets = 0;
  if (udhi) {
    const parsed = parseUdh(ud);
    udh = parsed.udh;
    headerOctets = parsed.length;
    if (headerOctets > octets) throw new SmsError('PDU_LENGTH', `TP-UDH: ${headerOctets} octets, more than the user data`, 'TP-UDH');
  }
  if (septets) {
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    const count = udl - headerSeptets;
    if (count < 0) throw new SmsError('PDU_LENGTH', `TP-UDL: ${udl} septets, fewer than the ${headerSeptets} of the header`, 'TP-UDL');
    // The header ends on a septet boundary (fill bits): the septets are read from the start, in whole groups, and the header's left out.
    const all = unpackSeptets(ud, udl);
    const values = headerSeptets ? all.subarray(headerSeptets) : all;
    return { text: decodeGsm7(values), data: values, udh, udl, raw: ud };
  }
  const data = ud.subarray(headerOctets);
  if (dcs.alphabet === 'ucs2') {
    if (data.length % 2) throw new SmsError('PDU_LENGTH', `TP-UD: ${data.length} octets of UCS-2, an odd number`, 'TP-UD');
    return { text: codecFor('ucs2').decode(data), data, udh, udl, raw: ud };
  }
  return { data, udh, udl, raw: ud };
}

function start(hex: string | Buffer | Reader, withSmsc: boolean): { r: Reader; smsc?: string } {
  if (hex instanceof Reader) return { r: hex, smsc: withSmsc ? readSmsc(hex) : undefined };
  const r = Buffer.isBuffer(hex) ? new Reader(hex) : new Reader(fromHex(hex), true);
  return { r, smsc: withSmsc ? readSmsc(r) : undefined };
}

function finish(w: Writer, tpduFrom: number): Encoded {
  return { hex: w.hex(), tpduLength: w.at - tpduFrom };
}

/** A writer with the SMSC prefix written when asked for; the TPDU starts at its `at`. */
function smscPrefix(smsc: string | null | undefined, withSmsc: boolean): Writer {
  const w = new Writer();
  if (withSmsc) writeSmsc(w, smsc);
  return w;
}

function checkMti(first: number, expected: number, name: string): void {
  if ((first & 0x03) !== expected) {
    throw new SmsError('PDU_TYPE', `TP-MTI: ${first & 0x03} is not ${name} (${expected}); decode it as the type it is`, 'TP-MTI');
  }
}

export interface SubmitInput {
  to: string | Address;
  reference?: number;
  pid?: number;
  messageClass?: 0 | 1 | 2 | 3;
  validity?: Validity;
  statusReport?: boolean;
  rejectDuplicates?: boolean;
  replyPath?: boolean;
  userData: UserDataInput;
}

export function encodeSubmit(s: SubmitInput, options: { smsc?: string | null; withSmsc?: boolean } = {}): Encoded {
  const ud = prepare(s.userData);
  const w = smscPrefix(options.smsc, options.withSmsc !== false);
  const octets = w.at;
  const vpf = s.validity ? VPF[s.validity.format] : VPF.none;
  w.octet(0x01 | (s.rejectDuplicates ? 0x04 : 0) | (vpf << 3) | (s.statusReport ? 0x20 : 0) | (ud.udhi ? 0x40 : 0) | (s.replyPath ? 0x80 : 0));
  const reference = s.reference ?? 0;
  if (!Number.isInteger(reference) || reference < 0 || reference > 255) throw new SmsError('SMS_FIELD', `TP-MR: a message reference from 0 to 255, got ${reference}`, 'TP-MR');
  w.octet(reference);
  writeAddress(w, typeof s.to === 'string' ? parseAddress(s.to, 'TP-DA') : s.to, 'TP-DA');
  w.octet(s.pid ?? 0);
  w.octet(encodeDcs({ alphabet: ud.alphabet, messageClass: s.messageClass }));
  if (s.validity) writeValidity(w, s.validity);
  writeUserData(w, ud);
  return finish(w, octets);
}

export function decodeSubmit(hex: string | Buffer, options: { withSmsc?: boolean } = {}): Submit {
  const { r, smsc } = start(hex, options.withSmsc !== false);
  const first = r.octet('first octet');
  checkMti(first, 1, 'SMS-SUBMIT');
  const reference = r.octet('TP-MR');
  const to = readAddress(r, 'TP-DA');
  const pid = r.octet('TP-PID');
  const dcs = decodeDcs(r.octet('TP-DCS'));
  const validity = readValidity(r, (first >> 3) & 0x03);
  const userData = readUserData(r, (first & 0x40) !== 0, dcs);
  return {
    type: 'SMS-SUBMIT',
    smsc,
    reference,
    to,
    pid,
    dcs,
    validity,
    statusReport: (first & 0x20) !== 0,
    rejectDuplicates: (first & 0x04) !== 0,
    replyPath: (first & 0x80) !== 0,
    userData,
  };
}

export interface DeliverInput {
  from: string | Address;
  timestamp?: Date;
  offsetMinutes?: number;
  pid?: number;
  messageClass?: 0 | 1 | 2 | 3;
  moreMessages?: boolean;
  statusReportIndication?: boolean;
  userData: UserDataInput;
}

export function encodeDeliver(d: DeliverInput, options: { smsc?: string | null; withSmsc?: boolean } = {}): Encoded {
  const ud = prepare(d.userData);
  const w = smscPrefix(options.smsc, options.withSmsc !== false);
  const octets = w.at;
  // TP-MMS is set when there are NO more messages.
  w.octet(0x00 | (d.moreMessages ? 0 : 0x04) | (d.statusReportIndication ? 0x20 : 0) | (ud.udhi ? 0x40 : 0));
  writeAddress(w, typeof d.from === 'string' ? parseAddress(d.from, 'TP-OA') : d.from, 'TP-OA');
  w.octet(d.pid ?? 0);
  w.octet(encodeDcs({ alphabet: ud.alphabet, messageClass: d.messageClass }));
  writeTimestamp(w, d.timestamp ?? new Date(), d.offsetMinutes ?? 0);
  writeUserData(w, ud);
  return finish(w, octets);
}

export function decodeDeliver(hex: string | Buffer, options: { withSmsc?: boolean } = {}): Deliver {
  return readDeliver(hex, options);
}

function readDeliver(hex: string | Buffer | Reader, options: { withSmsc?: boolean }): Deliver {
  const { r, smsc } = start(hex, options.withSmsc !== false);
  const first = r.octet('first octet');
  checkMti(first, 0, 'SMS-DELIVER');
  const from = readAddress(r, 'TP-OA');
  const pid = r.octet('TP-PID');
  const dcs = decodeDcs(r.octet('TP-DCS'));
  const timestamp = readCentreTime(r, 'TP-SCTS');
  const userData = readUserData(r, (first & 0x40) !== 0, dcs);
  return {
    type: 'SMS-DELIVER',
    smsc,
    from,
    pid,
    dcs,
    timestamp,
    moreMessages: (first & 0x04) === 0,
    statusReportIndication: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    userData,
  };
}

export interface StatusReportInput {
  reference: number;
  recipient: string | Address;
  timestamp: Date;
  dischargeTime: Date;
  offsetMinutes?: number;
  status: number;
}

export function encodeStatusReport(s: StatusReportInput, options: { smsc?: string | null; withSmsc?: boolean } = {}): Encoded {
  const w = smscPrefix(options.smsc, options.withSmsc !== false);
  const octets = w.at;
  w.octet(0x02 | 0x04).octet(s.reference & 0xff);
  writeAddress(w, typeof s.recipient === 'string' ? parseAddress(s.recipient, 'TP-RA') : s.recipient, 'TP-RA');
  writeTimestamp(w, s.timestamp, s.offsetMinutes ?? 0);
  writeTimestamp(w, s.dischargeTime, s.offsetMinutes ?? 0);
  w.octet(s.status);
  return finish(w, octets);
}

export function decodeStatusReport(hex: string | Buffer, options: { withSmsc?: boolean } = {}): StatusReport {
  return readStatusReport(hex, options);
}

function readStatusReport(hex: string | Buffer | Reader, options: { withSmsc?: boolean }): StatusReport {
  const { r, smsc } = start(hex, options.withSmsc !== false);
  const first = r.octet('first octet');
  checkMti(first, 2, 'SMS-STATUS-REPORT');
  const reference = r.octet('TP-MR');
  const recipient = readAddress(r, 'TP-RA');
  const timestamp = readCentreTime(r, 'TP-SCTS');
  const dischargeTime = readCentreTime(r, 'TP-DT');
  const status = r.octet('TP-ST');
  // Optional TP-PI and what it announces are not needed to match a report; they are skipped.
  return { type: 'SMS-STATUS-REPORT', smsc, reference, recipient, timestamp, dischargeTime, status };
}

/** A PDU a modem received (SC to MS): an SMS-DELIVER or an SMS-STATUS-REPORT. */
export function decodeReceived(hex: string | Buffer, options: { withSmsc?: boolean } = {}): Deliver | StatusReport {
  const bytes = Buffer.isBuffer(hex) ? hex : fromHex(hex);
  // The type is in the first octet after the SMSC prefix; the PDU is read once, from the start.
  const first = options.withSmsc !== false ? (bytes.length ? bytes[0] + 1 : 0) : 0;
  if (first >= bytes.length) {
    const r = new Reader(bytes);
    if (options.withSmsc !== false) readSmsc(r);
    r.octet('first octet'); // throws the truncation error
  }
  const mti = bytes[first] & 0x03;
  const reader = new Reader(bytes, !Buffer.isBuffer(hex));
  if (mti === 0) return readDeliver(reader, options);
  if (mti === 2) return readStatusReport(reader, options);
  throw new SmsError('PDU_TYPE', `TP-MTI ${mti}: a received PDU is an SMS-DELIVER (0) or SMS-STATUS-REPORT (2)`, 'TP-MTI');
}
