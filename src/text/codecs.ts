/**
 * Every text encoding the package speaks, described once: what each character
 * costs (septets or octets), how text becomes bytes and back.
 */
import * as iconv from 'iconv-lite';
import { SmsError } from '../errors';
import { decodeGsm7, encodeGsm7, encodeGsm7Into, encodeGsm7PlainInto, gsm7Table, NewlineStyle } from './gsm7';

export type Encoding = 'gsm7' | 'ucs2' | 'ascii' | 'latin1' | 'gbk' | 'big5' | 'binary';
export const ENCODINGS: readonly Encoding[] = ['gsm7', 'ucs2', 'ascii', 'latin1', 'gbk', 'big5', 'binary'];

export interface TextCodec {
  readonly encoding: Encoding;
  /**
   * encodeInto() for text known to hold only characters below U+0100 that
   * each cost one unit (the segmenter learns this while it cuts): faster
   * where the encoding has it.
   */
  readonly encodePlainInto?: (text: string, out: Buffer, offset: number) => number;
  /** cost of each UTF-16 code unit outside a surrogate pair; 0 = cannot be written */
  readonly cost: Uint8Array;
  /** cost of a whole surrogate pair; 0 = cannot be written */
  readonly pairCost: number;
  /** set when every UTF-16 code unit can be written and costs this much (UCS-2) */
  readonly unitWidth?: number;
  encode(text: string): Buffer;
  /** writes `text` at `offset` and returns the octets written; `out` has room for its cost */
  readonly encodeInto: (text: string, out: Buffer, offset: number) => number;
  decode(bytes: Uint8Array): string;
}

function costTable(fill: (unit: number) => number): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) table[unit] = fill(unit);
  return table;
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

function encodeUcs2(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  encodeUcs2Into(text, out, 0);
  return out;
}

/** From this many characters (about one UCS-2 part) the native write and swap beat a loop. */
const NATIVE_UCS2_FROM = 64;

// A loop beats the native write and swap on SMS-sized strings.
function encodeUcs2Into(text: string, out: Buffer, offset: number): number {
  if (text.length >= NATIVE_UCS2_FROM) {
    const written = out.write(text, offset, 'utf16le');
    out.subarray(offset, offset + written).swap16();
    return written;
  }
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[at++] = unit >> 8;
    out[at++] = unit & 0xff;
  }
  return at - offset;
}

function decodeUcs2(bytes: Uint8Array): string {
  const even = bytes.length & ~1;
  const copy = Buffer.from(bytes.subarray(0, even));
  return copy.swap16().toString('utf16le');
}

/** Below this many characters a loop beats a native write. */
const NATIVE_OCTETS_FROM = 20;

/** One octet per character, its code (the text is known to hold nothing past U+00FF). */
function encodeOctetsInto(text: string, out: Buffer, offset: number): number {
  if (text.length >= NATIVE_OCTETS_FROM) return out.write(text, offset, 'latin1');
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return text.length;
}

function copyInto(encode: (text: string) => Buffer): TextCodec['encodeInto'] {
  return (text, out, offset) => encode(text).copy(out, offset);
}

/**
 * Double-byte character sets through iconv-lite. Which characters a code
 * page holds, and in how many octets (GBK writes € as one), is learnt from
 * iconv itself the first time the table is needed.
 */
function iconvCodec(encoding: 'gbk' | 'big5'): TextCodec {
  let table: Uint8Array | undefined;
  const encode = (text: string): Buffer => iconv.encode(text, encoding);
  return {
    encoding,
    get cost() {
      table ??= costTable((unit) => {
        if (isSurrogate(unit)) return 0;
        const ch = String.fromCharCode(unit);
        const bytes = iconv.encode(ch, encoding);
        return iconv.decode(bytes, encoding) === ch ? bytes.length : 0;
      });
      return table;
    },
    pairCost: 0,
    encode,
    encodeInto: copyInto(encode),
    decode: (bytes) => iconv.decode(Buffer.from(bytes), encoding),
  };
}

const UCS2_COST = costTable(() => 2);

function gsm7Codec(newline: NewlineStyle): TextCodec {
  return {
    encoding: 'gsm7',
    cost: gsm7Table(newline).cost,
    pairCost: 0,
    encode: (text) => encodeGsm7(text, newline),
    encodeInto: (text, out, offset) => encodeGsm7Into(text, out, offset, newline),
    encodePlainInto: (text, out, offset) => encodeGsm7PlainInto(text, out, offset, newline),
    decode: (bytes) => decodeGsm7(bytes, newline),
  };
}

function binaryIsNotText(): never {
  throw new SmsError('SMS_ENCODING', 'encoding: binary takes a Buffer, not text', 'encoding');
}

const CODECS: Record<Exclude<Encoding, 'gsm7'>, TextCodec> = {
  ucs2: { encoding: 'ucs2', cost: UCS2_COST, pairCost: 4, unitWidth: 2, encode: encodeUcs2, encodeInto: encodeUcs2Into, decode: decodeUcs2 },
  ascii: {
    encoding: 'ascii',
    cost: costTable((u) => (u < 0x80 ? 1 : 0)),
    pairCost: 0,
    encode: (text) => Buffer.from(text, 'latin1'),
    encodeInto: encodeOctetsInto,
    decode: (bytes) => Buffer.from(bytes).toString('latin1'),
  },
  latin1: {
    encoding: 'latin1',
    cost: costTable((u) => (u < 0x100 ? 1 : 0)),
    pairCost: 0,
    encode: (text) => Buffer.from(text, 'latin1'),
    encodeInto: encodeOctetsInto,
    decode: (bytes) => Buffer.from(bytes).toString('latin1'),
  },
  gbk: iconvCodec('gbk'),
  big5: iconvCodec('big5'),
  binary: {
    encoding: 'binary',
    cost: costTable(() => 0),
    pairCost: 0,
    encode: binaryIsNotText,
    encodeInto: binaryIsNotText,
    decode: (bytes) => Buffer.from(bytes).toString('hex'),
  },
};
const GSM7: Record<NewlineStyle, TextCodec> = { lf: gsm7Codec('lf'), escape: gsm7Codec('escape') };

export function codecFor(encoding: Encoding, newline: NewlineStyle = 'lf'): TextCodec {
  if (encoding === 'gsm7') return GSM7[newline];
  const codec = Object.hasOwn(CODECS, encoding) ? CODECS[encoding] : undefined;
  if (!codec) throw new SmsError('SMS_FIELD', `encoding: "${encoding}" is not one of ${ENCODINGS.join(', ')}`, 'encoding');
  return codec;
}

/** Index (UTF-16) of the first character the codec cannot write exactly, or -1. */
export function firstUnrepresentable(text: string, codec: TextCodec): number {
  const { cost, pairCost } = codec;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        if (pairCost === 0) return i;
        i++;
        continue;
      }
    }
    if (cost[unit] === 0) return i;
  }
  return -1;
}

export function describeUnrepresentable(text: string, index: number, encoding: Encoding): SmsError {
  const ch = String.fromCodePoint(text.codePointAt(index) ?? 0);
  const hex = 'U+' + (text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return new SmsError('SMS_ENCODING', `text: "${ch}" (${hex}, position ${index + 1}) cannot be written in ${encoding}; choose "auto" or UCS-2`, 'text');
}
