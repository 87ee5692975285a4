/**
 * GSM 03.38 / 3GPP 23.038 default alphabet and its extension table.
 *
 * Text is encoded to septet values (0..127), one per array element; a
 * character from the extension table takes two: ESCAPE then its code.
 * Packing septets into octets is septets.ts's job.
 */
import { SmsError } from '../errors';

export const ESCAPE = 0x1b;

// Index = septet value. 0x1B is the escape to the extension table.
const BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const EXTENSION: ReadonlyArray<[number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/**
 * How a line break is written. The standard writes LF as the single septet
 * 0x0A. Chunghwa Telecom's IMSP document (example 8) writes it as 1B 0A, the
 * extension table's page break, which its handsets show as a new line.
 */
export type NewlineStyle = 'lf' | 'escape';

export interface Gsm7Table {
  /** septets per UTF-16 code unit: 0 = not in the alphabet, 1 or 2 */
  readonly cost: Uint8Array;
  /** the septet (basic) or extension code for each UTF-16 code unit */
  readonly code: Uint8Array;
  /** text for each basic septet value */
  readonly basic: readonly string[];
  /** text for each extension code (undefined = not defined) */
  readonly extension: ReadonlyArray<string | undefined>;
  /** the UTF-16 code of each basic septet, and of each escape + code as a receiver reads it */
  readonly basicCodes: Uint16Array;
  readonly extensionCodes: Uint16Array;
  /** the septet of each character below U+0100 that takes one */
  readonly latin1Septets: Uint8Array;
}

function buildTable(newline: NewlineStyle): Gsm7Table {
  const cost = new Uint8Array(0x10000);
  const code = new Uint8Array(0x10000);
  const basic: string[] = [];
  const extension = new Array<string | undefined>(128).fill(undefined);
  for (let septet = 0; septet < 128; septet++) {
    const ch = BASIC[septet];
    basic.push(ch);
    if (septet === ESCAPE) continue;
    cost[ch.charCodeAt(0)] = 1;
    code[ch.charCodeAt(0)] = septet;
  }
  for (const [ext, ch] of EXTENSION) {
    extension[ext] = ch;
    cost[ch.charCodeAt(0)] = 2;
    code[ch.charCodeAt(0)] = ext;
  }
  if (newline === 'escape') {
    cost[0x0a] = 2;
    code[0x0a] = 0x0a;
    cost[0x0c] = 0; // the page break now stands for the line break
    extension[0x0a] = '\n';
  }
  const basicCodes = Uint16Array.from(basic, (ch) => ch.charCodeAt(0));
  // An escape then a code the extension table lacks reads as that code's basic character; escape escape as a space.
  const extensionCodes = Uint16Array.from(extension, (ch, e) => (ch !== undefined ? ch.charCodeAt(0) : e === ESCAPE ? 0x20 : basicCodes[e]));
  const latin1Septets = code.slice(0, 0x100);
  return { cost, code, basic, extension, basicCodes, extensionCodes, latin1Septets };
}

const TABLES: Record<NewlineStyle, Gsm7Table> = {
  lf: buildTable('lf'),
  escape: buildTable('escape'),
};

export function gsm7Table(newline: NewlineStyle = 'lf'): Gsm7Table {
  return TABLES[newline];
}

/** True when every character of `text` is in the alphabet or its extension. */
export function isGsm7(text: string, newline: NewlineStyle = 'lf'): boolean {
  const cost = TABLES[newline].cost;
  for (let i = 0; i < text.length; i++) {
    if (cost[text.charCodeAt(i)] === 0) return false;
  }
  return true;
}

/** Number of septets `text` takes, or -1 when a character is not in the alphabet. */
export function gsm7Length(text: string, newline: NewlineStyle = 'lf'): number {
  const cost = TABLES[newline].cost;
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const c = cost[text.charCodeAt(i)];
    if (c === 0) return -1;
    septets += c;
  }
  return septets;
}

/** Encodes text to septet values (one per byte), escapes included. */
export function encodeGsm7(text: string, newline: NewlineStyle = 'lf'): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  return out.subarray(0, encodeGsm7Into(text, out, 0, newline));
}

/** Writes the septet values of `text` at `offset`; returns how many were written. */
export function encodeGsm7Into(text: string, out: Buffer, offset: number, newline: NewlineStyle = 'lf'): number {
  const { cost, code } = TABLES[newline];
  let n = offset;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const c = cost[unit];
    if (c === 0) {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? unit);
      throw new SmsError('SMS_ENCODING', `text: "${ch}" (position ${i + 1}) is not in the GSM 7-bit alphabet; use UCS-2 for this text`, 'text');
    }
    if (c === 2) out[n++] = ESCAPE;
    out[n++] = code[unit];
  }
  return n - offset;
}

/**
 * encodeGsm7Into() for text known to hold only characters below U+0100 that
 * each take one septet: a native Latin-1 write, then each octet turned into
 * its septet in place.
 */
export function encodeGsm7PlainInto(text: string, out: Buffer, offset: number, newline: NewlineStyle = 'lf'): number {
  if (text.length < 20) return encodeGsm7Into(text, out, offset, newline); // a loop is faster on a few characters
  const septetOf = TABLES[newline].latin1Septets;
  const end = offset + out.write(text, offset, 'latin1');
  for (let i = offset; i < end; i++) out[i] = septetOf[out[i]];
  return end - offset;
}

/**
 * Decodes septet values to text. An escape followed by a code the extension
 * table does not define reads as the basic character of that code, as 23.038
 * asks of receivers; a trailing lone escape reads as a space.
 */
export function decodeGsm7(septets: Uint8Array, newline: NewlineStyle = 'lf'): string {
  const { basicCodes, extensionCodes } = TABLES[newline];
  // Most texts are Latin-1 once decoded, with no escape: their codes go into
  // a scratch buffer that becomes the string in one native call. The first
  // escape or character past Latin-1 (Δ) sends the rest the slower way.
  const scratch = latin1Scratch(septets.length);
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    const code = basicCodes[s];
    if (s === ESCAPE || code > 0xff) return scratch.toString('latin1', 0, i) + decodeWide(septets, i, basicCodes, extensionCodes);
    scratch[i] = code;
  }
  return scratch.toString('latin1', 0, septets.length);
}

let scratchBuffer = Buffer.allocUnsafe(512);

function latin1Scratch(length: number): Buffer {
  if (scratchBuffer.length < length) scratchBuffer = Buffer.allocUnsafe(length);
  return scratchBuffer;
}

/** The text from septet `from` on, as character codes gathered in a list and made a string at once. */
function decodeWide(septets: Uint8Array, from: number, basicCodes: Uint16Array, extensionCodes: Uint16Array): string {
  const codes: number[] = [];
  for (let i = from; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    if (s !== ESCAPE) {
      codes.push(basicCodes[s]);
      continue;
    }
    i++;
    codes.push(i < septets.length ? extensionCodes[septets[i] & 0x7f] : 0x20);
  }
  return fromCodes(codes);
}

/** fromCharCode takes so many arguments at once */
const CHUNK = 8192;

function fromCodes(codes: number[]): string {
  if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes);
  let text = '';
  for (let at = 0; at < codes.length; at += CHUNK) text += String.fromCharCode.apply(null, codes.slice(at, at + CHUNK));
  return text;
}
