/**
 * SubmitSM, QuerySM and ChangePasswd parameters: named exactly as the IMSP
 * document names them, checked before anything is sent (each error names the
 * parameter and its rule), and written as application/x-www-form-urlencoded.
 */
import { SmsError } from '../errors';

export interface SubmitParams {
  from_addr_type?: 0 | 1 | 2;
  from_addr?: string;
  to_addr_type?: 0 | 1;
  /** one number, or several separated by commas */
  to_addr: string;
  msg_expire_time?: number;
  msg_type?: 0 | 1 | 2 | 3;
  msg_dcs?: number;
  msg_pclid?: number;
  msg_udhi?: 0 | 1;
  /** hex for msg_dcs 1, 3, 8 and binary; the Big5 octets for msg_dcs 0 */
  msg: string | Buffer;
  /** 4 hex digits, with msg_type 2 or 3 */
  dest_port?: string;
}

export interface Credentials {
  account: string;
  password: string;
}

const fail = (name: string, rule: string): never => {
  throw new SmsError('IMSP_PARAM', `${name}: ${rule}`, name);
};

/** The number formats of note 4 (§3.1). */
const NUMBER_FORMATS: Array<[RegExp, string]> = [
  [/^09\d{8}$/, 'Taiwan mobile 09 + 8 digits'],
  [/^8869\d{8}$/, 'Taiwan mobile 8869 + 8 digits'],
  [/^\+8869\d{8}$/, 'Taiwan mobile +8869 + 8 digits'],
  [/^04000[1-3]\d{7}$/, 'IoT 040001..040003, 13 digits'],
  [/^8864000[1-3]\d{7}$/, 'IoT 88640001..88640003, 15 digits'],
  [/^(\+|00)8864000[1-3]\d{7}$/, 'IoT +88640001.. or 008864001.., 16 characters'],
  [/^(\+|00)\d{8,20}$/, 'international: + or 00, then 8 to 20 digits'],
];

export function checkRecipient(number: string): void {
  if (!NUMBER_FORMATS.some(([re]) => re.test(number))) {
    fail('to_addr', `"${number}" is not a number IMSP takes: 09xxxxxxxx, 8869xxxxxxxx, +8869xxxxxxxx, an IoT 04000x number, or + / 00 and 8-20 digits`);
  }
}

/** One number, a comma list or an array, each checked. */
export function recipientList(to: unknown): string[] {
  const list = (Array.isArray(to) ? to.map(String) : typeof to === 'string' || typeof to === 'number' ? String(to).split(/[\s,;]+/) : []).map((n) => n.trim()).filter(Boolean);
  if (!list.length) fail('to_addr', 'give at least one phone number (msg.to: a number, a comma list or an array)');
  list.forEach(checkRecipient);
  return list;
}

export function checkCredentials(c: Credentials): void {
  if (!c.account || !/^[\x21-\x7e]{1,8}$/.test(c.account)) fail('account', 'the IMSP account: 1 to 8 ASCII characters');
  if (!c.password || !/^[\x20-\x7e]{1,8}$/.test(c.password)) fail('password', 'the IMSP password: 1 to 8 ASCII characters');
}

const HEX = /^([0-9A-Fa-f]{2})*$/;

export function checkSubmit(p: SubmitParams, maxRecipients = 20): void {
  const recipients = p.to_addr.split(',');
  if (recipients.length > maxRecipients) fail('to_addr', `${recipients.length} numbers, at most ${maxRecipients} in one request`);
  if (p.to_addr.length > 200) fail('to_addr', `${p.to_addr.length} characters, at most 200`);
  if ((p.to_addr_type ?? 0) === 0) recipients.forEach(checkRecipient);
  const type = p.msg_type ?? 0;
  if (![0, 1, 2, 3].includes(type)) fail('msg_type', `must be 0 (SMS), 1 (pop-up), 2 (text to an application port) or 3 (binary to a port), got ${type}`);
  const expire = p.msg_expire_time ?? 0;
  if (!Number.isInteger(expire) || expire < 0 || expire > 1440) fail('msg_expire_time', `minutes from 0 to 1440 (0 means the longest, 1440), got ${expire}`);
  if (p.msg_pclid !== undefined && (!Number.isInteger(p.msg_pclid) || p.msg_pclid < 0 || p.msg_pclid > 255)) fail('msg_pclid', `from 0 to 255, got ${p.msg_pclid}`);
  if (p.from_addr !== undefined && p.from_addr !== '') {
    const max = p.from_addr_type === 2 ? 14 : 10;
    if (p.from_addr.length > max || (p.from_addr_type !== 2 && !/^\d+$/.test(p.from_addr))) fail('from_addr', `digits, at most ${max}`);
  }
  if (type === 2 || type === 3) {
    if (!p.dest_port || !/^[0-9A-Fa-f]{4}$/.test(p.dest_port)) fail('dest_port', `msg_type ${type} needs the application port as 4 hex digits (port 50000 is C350), got "${p.dest_port ?? ''}"`);
  } else if (p.dest_port) {
    fail('dest_port', 'only goes with msg_type 2 or 3');
  }
  const dcs = p.msg_dcs ?? 0;
  let octets: number;
  if (dcs === 0 && type < 2) {
    if (!Buffer.isBuffer(p.msg)) fail('msg', 'with msg_dcs 0 it is the Big5 octets of the text');
    octets = (p.msg as Buffer).length;
    const ascii = (p.msg as Buffer).every((b) => b < 0x80);
    if (octets > (ascii ? 160 : 140)) fail('msg', `${octets} octets of Big5, at most ${ascii ? 160 : 140} (msg_dcs 0 sends one message only)`);
  } else {
    if (typeof p.msg !== 'string' || !HEX.test(p.msg)) fail('msg', 'must be a hex string (two hex digits an octet)');
    octets = (p.msg as string).length / 2;
    const limit = type >= 2 ? 132 : dcs === 8 ? 140 : 160;
    if (octets > limit) fail('msg', `${octets} octets, at most ${limit} with msg_type ${type} and msg_dcs ${dcs}`);
  }
  if (octets === 0) fail('msg', 'is empty');
}

/** application/x-www-form-urlencoded; a Buffer value is percent-encoded octet by octet (Big5 text). */
export function formEncode(pairs: Array<[string, string | number | Buffer | undefined]>): string {
  const out: string[] = [];
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    let encoded = '';
    for (const b of bytes) {
      if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x2a) encoded += String.fromCharCode(b);
      else if (b === 0x20) encoded += '+';
      else encoded += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
    out.push(`${name}=${encoded}`);
  }
  return out.join('&');
}

/** Percent-decoding to octets; a "%" not followed by two hex digits stands for itself. */
function percentDecode(raw: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '+') bytes.push(0x20);
    else if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** Reads a form body into name -> octets (so that Big5 text survives). Never throws. */
export function formDecode(body: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq)).toString('latin1');
    out.set(name, percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return out;
}
