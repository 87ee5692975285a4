/**
 * Every text encoding the package speaks, described once: what each character
 * costs (septets or octets), how text becomes bytes and back.
 */
import * as iconv from 'iconv-lite';
import { SmsError } from '../errors';
import { decodeGsm7, encodeGsm7, gsm7Table, NewlineStyle } from './gsm7';

export type Encoding = 'gsm7' | 'ucs2' | 'ascii' | 'latin1' | 'gbk' | 'big5' | 'binary';
export const ENCODINGS: readonly Encoding[] = ['gsm7', 'ucs2', 'ascii', 'latin1', 'gbk', 'big5', 'binary'];

export interface TextCodec {
  readonly encoding: Encoding;
  /** cost of each UTF-16 code unit outside a surrogate pair; 0 = cannot be written */
  readonly cost: Uint8Array;
  /** cost of a whole surrogate pair; 0 = cannot be written */
  readonly pairCost: number;
  encode(text: string): Buffer;
  decode(bytes: Uint8Array): string;
}

function costTable(fill: (unit: number) => number): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) table[unit] = fill(unit);
  return table;
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

function decodeUcs2(bytes: Uint8Array): string {
  const even = bytes.length & ~1;
  const copy = Buffer.from(bytes.subarray(0, even));
  return copy.swap16().toString('utf16le');
}

function iconvCodec(encoding: 'gbk' | 'big5'): TextCodec {
  // Double-byte character sets: ASCII is one octet, everything else two.
  // Whether a character exists at all is checked by a round trip (see representable).
  return {
    encoding,
    cost: costTable((u) => (isSurrogate(u) ? 0 : u < 0x80 ? 1 : 2)),
    pairCost: 0,
    encode: (text) => iconv.encode(text, encoding),
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
    decode: (bytes) => decodeGsm7(bytes, newline),
  };
}

const CODECS: Record<Exclude<Encoding, 'gsm7'>, TextCodec> = {
  ucs2: { encoding: 'ucs2', cost: UCS2_COST, pairCost: 4, encode: encodeUcs2, decode: decodeUcs2 },
  ascii: {
    encoding: 'ascii',
    cost: costTable((u) => (u < 0x80 ? 1 : 0)),
    pairCost: 0,
    encode: (text) => Buffer.from(text, 'latin1'),
    decode: (bytes) => Buffer.from(bytes).toString('latin1'),
  },
  latin1: {
    encoding: 'latin1',
    cost: costTable((u) => (u < 0x100 ? 1 : 0)),
    pairCost: 0,
    encode: (text) => Buffer.from(text, 'latin1'),
    decode: (bytes) => Buffer.from(bytes).toString('latin1'),
  },
  gbk: iconvCodec('gbk'),
  big5: iconvCodec('big5'),
  binary: {
    encoding: 'binary',
    cost: costTable(() => 0),
    pairCost: 0,
    encode: () => {
      throw new SmsError('SMS_ENCODING', 'encoding: binary takes a Buffer, not text', 'encoding');
    },
    decode: (bytes) => Buffer.from(bytes).toString('hex'),
  },
};
const GSM7: Record<NewlineStyle, TextCodec> = { lf: gsm7Codec('lf'), escape: gsm7Codec('escape') };

export function codecFor(encoding: Encoding, newline: NewlineStyle = 'lf'): TextCodec {
  if (encoding === 'gsm7') return GSM7[newline];
  const codec = CODECS[encoding];
  if (!codec) throw new SmsError('SMS_FIELD', `encoding: "${encoding}" is not one of ${ENCODINGS.join(', ')}`, 'encoding');
  return codec;
}

/**
 * Index (in UTF-16 code units) of the first character the codec cannot
 * write exactly, or -1 when it can write all of them.
 */
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
  if (codec.encoding === 'gbk' || codec.encoding === 'big5') {
    // The cost table cannot know which CJK characters a code page lacks: ask iconv.
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) continue;
      const ch = text[i];
      if (codec.decode(codec.encode(ch)) !== ch) return i;
    }
  }
  return -1;
}

export function describeUnrepresentable(text: string, index: number, encoding: Encoding): SmsError {
  const ch = String.fromCodePoint(text.codePointAt(index) ?? 0);
  const hex = 'U+' + (text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return new SmsError(
    'SMS_ENCODING',
    `text: "${ch}" (${hex}, position ${index + 1}) cannot be written in ${encoding}; choose "auto" or UCS-2`,
    'text',
  );
}
