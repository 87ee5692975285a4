/**
 * Field types of binary protocol messages. Each knows its size, how to write
 * a value and how to read one; a message is an ordered list of fields and
 * one engine (table.ts) encodes, decodes and sizes every message from it.
 */
import { shown, textOf } from '../text-of';
import { SmsError } from '../errors';

/** An optional parameter (TLV) this package does not know: kept as it came. */
export interface UnknownTlv {
  tag: number;
  value: Buffer;
}

/** Optional parameters by name, and those not known by tag. */
export type TlvValues = { [name: string]: number | string | Buffer | UnknownTlv[] | undefined; unknown?: UnknownTlv[] };

/** One entry of a repeated group (submit_multi's destinations). */
export type Entry = Record<string, string | number>;

export type FieldValue = number | string | Buffer | string[] | TlvValues | Entry[];
export type Body = Record<string, FieldValue>;

export interface FieldType {
  /** octets this field always takes; the table engine skips size() for it */
  width?: number;
  /**
   * Reading: the octets this field takes, found in the data itself (a
   * C-Octet string's NUL); -1 when the data does not hold a valid one.
   */
  measure?(data: Buffer, at: number, end: number, body: Body): number;
  /** the field takes the rest of the body (optional parameters) */
  rest?: boolean;
  /** what the field holds at most, for errors: "16 octets with its NUL" */
  limit?: string;
  /** octets this field takes, given its value and the fields already read or about to be written */
  size(body: Body, value?: FieldValue): number;
  write(out: Buffer, at: number, value: FieldValue | undefined, body: Body, name: string): void;
  /** reads the value that lies between `at` and `end` */
  read(data: Buffer, at: number, body: Body, end: number): FieldValue;
  /** the value an encoder writes when the caller gave none */
  empty: FieldValue;
  /**
   * The table engine writes the common case of this field in line: a text
   * of single-octet characters that fits (`text`), or a whole number from 0
   * to 255 (`octet`). Anything else goes through write(), which also says
   * what is wrong.
   */
  inline?: 'text' | 'octet';
}

export interface Field {
  /** the document's name, used in errors */
  name: string;
  /** the property of the message object */
  key: string;
  type: FieldType;
}

/** Fields whose value an error must never show. */
const SECRET_FIELD = /password|secret|authenticator/i;

/** The value as an error may quote it: nothing for a secret. */
const quoted = (name: string, text: string): string => (SECRET_FIELD.test(name) ? '' : ` ("${text}")`);

/** A value a field cannot write; the table engine names it with the protocol (CMPP_FIELD...). */
export function fieldError(name: string, rule: string): SmsError {
  return new SmsError('WIRE_FIELD', `${name}: ${rule}`, name);
}

function unsigned(bytes: 1 | 2 | 4, signed = false): FieldType {
  const max = signed ? 2 ** (bytes * 8 - 1) - 1 : 2 ** (bytes * 8) - 1;
  const min = signed ? -(2 ** (bytes * 8 - 1)) : 0;
  const put = signed
    ? (out: Buffer, n: number, at: number) => out.writeInt32BE(n, at)
    : bytes === 1
      ? (out: Buffer, n: number, at: number) => {
          out[at] = n;
        }
      : bytes === 2
        ? (out: Buffer, n: number, at: number) => out.writeUInt16BE(n, at)
        : (out: Buffer, n: number, at: number) => out.writeUInt32BE(n, at);
  return {
    width: bytes,
    size: () => bytes,
    empty: 0,
    inline: bytes === 1 && !signed ? 'octet' : undefined,
    write(out, at, value, _body, name) {
      const n = value === undefined ? 0 : typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw fieldError(name, `must be a whole number from ${min} to ${max}, got ${shown(value)}`);
      put(out, n, at);
    },
    read: signed ? (data, at) => data.readInt32BE(at) : bytes === 1 ? (data, at) => data[at] : bytes === 2 ? (data, at) => data.readUInt16BE(at) : (data, at) => data.readUInt32BE(at),
  };
}

export const u8 = unsigned(1);
export const u16 = unsigned(2);
export const u32 = unsigned(4);
export const i32 = unsigned(4, true);

/** Octet String: fixed width, text left-aligned and padded with 0x00. */
export function octets(width: number): FieldType {
  return {
    width,
    size: () => width,
    empty: '',
    inline: 'text',
    write(out, at, value, _body, name) {
      const text = textOf(value);
      if (text.length > width) throw fieldError(name, `at most ${width} characters, got ${text.length}${quoted(name, text)}`);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0xff) throw fieldError(name, SECRET_FIELD.test(name) ? `character ${i + 1} is not a single-octet character` : `"${text[i]}" is not a single-octet character`);
        out[at + i] = code;
      }
      for (let i = text.length; i < width; i++) out[at + i] = 0;
    },
    read(data, at) {
      let end = at;
      while (end < at + width && data[end] !== 0) end++;
      return end === at ? '' : data.toString('latin1', at, end);
    },
  };
}

/** Raw octets of a fixed width (authenticators). */
export function raw(width: number): FieldType {
  return {
    width,
    size: () => width,
    empty: Buffer.alloc(width),
    write(out, at, value, _body, name) {
      const bytes = value === undefined ? Buffer.alloc(width) : (value as Buffer);
      if (!Buffer.isBuffer(bytes) || bytes.length !== width) throw fieldError(name, `must be ${width} octets`);
      bytes.copy(out, at);
    },
    read: (data, at) => Buffer.from(data.subarray(at, at + width)),
  };
}

/** Several fixed-width octet strings, as many as the count field says (Dest_terminal_Id). */
export function list(width: number, countKey: string): FieldType {
  const item = octets(width);
  return {
    size: (body) => width * Number(body[countKey] ?? 0),
    empty: [],
    write(out, at, value, body, name) {
      const items = (value ?? []) as string[];
      if (items.length !== Number(body[countKey] ?? 0)) throw fieldError(name, `has ${items.length} entries, ${countKey} says ${shown(body[countKey])}`);
      items.forEach((v, i) => item.write(out, at + i * width, v, body, name));
    },
    read(data, at, body) {
      const items: string[] = [];
      for (let i = 0; i < Number(body[countKey]); i++) items.push(item.read(data, at + i * width, body, at + (i + 1) * width) as string);
      return items;
    },
  };
}

/** Octets whose number an earlier length field gives (Msg_Content). */
export function content(lengthKey: string): FieldType {
  return {
    size: (body) => Number(body[lengthKey] ?? 0),
    empty: Buffer.alloc(0),
    write(out, at, value, body, name) {
      const bytes = (value ?? Buffer.alloc(0)) as Buffer;
      if (!Buffer.isBuffer(bytes)) throw fieldError(name, 'must be a Buffer');
      if (bytes.length !== Number(body[lengthKey] ?? 0)) throw fieldError(name, `is ${bytes.length} octets, ${lengthKey} says ${shown(body[lengthKey])}`);
      bytes.copy(out, at);
    },
    read: (data, at, body) => Buffer.from(data.subarray(at, at + Number(body[lengthKey]))),
  };
}

/**
 * C-Octet String: text ended by a NUL, at most `max` octets with the NUL
 * (SMPP's system_id 16, addresses 21...). An empty string is the NUL alone.
 */
export function cString(max: number): FieldType {
  return {
    limit: `${max} octets with its NUL`,
    size: (_body, value) => (value === undefined ? 0 : textOf(value).length) + 1,
    empty: '',
    write(out, at, value, _body, name) {
      const text = textOf(value);
      if (text.length > max - 1) throw fieldError(name, `at most ${max - 1} characters, got ${text.length}${quoted(name, text)}`);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code === 0 || code > 0xff) throw fieldError(name, SECRET_FIELD.test(name) ? `character ${i + 1} cannot stand in a C-Octet string` : `"${text[i]}" cannot stand in a C-Octet string`);
        out[at + i] = code;
      }
      out[at + text.length] = 0;
    },
    measure(data, at, end) {
      const last = Math.min(end, at + max);
      for (let i = at; i < last; i++) if (data[i] === 0) return i - at + 1;
      return -1;
    },
    read: (data, at) => {
      let end = at;
      while (data[end] !== 0) end++;
      return end === at ? '' : data.toString('latin1', at, end);
    },
  };
}

/** How an optional parameter's value is written. */
export type TlvKind = 'u8' | 'u16' | 'u32' | 'cstring' | 'octets';

export interface TlvSpec {
  tag: number;
  /** the document's name (sar_msg_ref_num) */
  name: string;
  key: string;
  kind: TlvKind;
}

const TLV_WIDTH: Partial<Record<TlvKind, number>> = { u8: 1, u16: 2, u32: 4 };

function tlvLength(spec: TlvSpec, value: unknown): number {
  const width = TLV_WIDTH[spec.kind];
  if (width) return width;
  if (spec.kind === 'cstring') return textOf(value).length + 1;
  return (value as Buffer).length;
}

/**
 * Optional parameters: tag, length and value, one after another to the end
 * of the body, read and written from one table. A tag the table does not
 * know is kept in `unknown`, never an error; a length that runs past the
 * body is.
 */
export function tlvs(specs: readonly TlvSpec[]): FieldType {
  const byTag = new Map(specs.map((spec) => [spec.tag, spec]));
  const byKey = new Map(specs.map((spec) => [spec.key, spec]));
  /** the parameters given, in the order given (a decoded PDU's: the order they came in) */
  const present = (values: TlvValues, name: string): TlvSpec[] => {
    const out: TlvSpec[] = [];
    for (const key in values) {
      if (key === 'unknown' || values[key] === undefined) continue;
      const spec = byKey.get(key);
      if (!spec) throw fieldError(name, `"${key}" is not an optional parameter of SMPP 3.4 (unknown ones go in "unknown" with their tag)`);
      out.push(spec);
    }
    return out;
  };
  return {
    rest: true,
    empty: {},
    size(_body, value) {
      const values = (value ?? {}) as TlvValues;
      let n = 0;
      for (const key in values) {
        const v = values[key];
        if (v === undefined) continue;
        if (key === 'unknown') for (const u of v as UnknownTlv[]) n += 4 + u.value.length;
        else {
          const spec = byKey.get(key);
          if (spec) n += 4 + tlvLength(spec, v);
        }
      }
      return n;
    },
    write(out, at, value, _body, name) {
      const values = (value ?? {}) as TlvValues;
      let p = at;
      for (const spec of present(values, name)) {
        const v = values[spec.key];
        const width = TLV_WIDTH[spec.kind];
        if (width) {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 0 || n >= 2 ** (8 * width)) throw fieldError(`${name} ${spec.name}`, `must be a whole number from 0 to ${2 ** (8 * width) - 1}, got ${shown(v)}`);
        } else if (spec.kind === 'octets' && !Buffer.isBuffer(v)) {
          throw fieldError(`${name} ${spec.name}`, 'must be a Buffer');
        }
        const length = tlvLength(spec, v);
        if (length > 0xffff) throw fieldError(`${name} ${spec.name}`, `at most 65535 octets, got ${length}`);
        out.writeUInt16BE(spec.tag, p);
        out.writeUInt16BE(length, p + 2);
        p += 4;
        if (spec.kind === 'u8') out[p] = Number(v);
        else if (spec.kind === 'u16') out.writeUInt16BE(Number(v), p);
        else if (spec.kind === 'u32') out.writeUInt32BE(Number(v), p);
        else if (spec.kind === 'cstring') {
          out.write(textOf(v), p, 'latin1');
          out[p + length - 1] = 0;
        } else (v as Buffer).copy(out, p);
        p += length;
      }
      for (const u of values.unknown ?? []) {
        out.writeUInt16BE(u.tag, p);
        out.writeUInt16BE(u.value.length, p + 2);
        u.value.copy(out, p + 4);
        p += 4 + u.value.length;
      }
    },
    read(data, at, _body, end) {
      const values: TlvValues = {};
      let p = at;
      while (p < end) {
        if (end - p < 4) throw fieldError('optional parameters', `${end - p} octets left over, too few for a tag and a length`);
        const tag = data.readUInt16BE(p);
        const length = data.readUInt16BE(p + 2);
        p += 4;
        if (p + length > end) throw fieldError('optional parameters', `tag 0x${tag.toString(16).padStart(4, '0')} says ${length} octets, only ${end - p} left`);
        const spec = byTag.get(tag);
        const width = spec ? TLV_WIDTH[spec.kind] : undefined;
        if (!spec || (width !== undefined && width !== length)) {
          (values.unknown ??= []).push({ tag, value: Buffer.from(data.subarray(p, p + length)) });
        } else if (spec.kind === 'u8') values[spec.key] = data[p];
        else if (spec.kind === 'u16') values[spec.key] = data.readUInt16BE(p);
        else if (spec.kind === 'u32') values[spec.key] = data.readUInt32BE(p);
        else if (spec.kind === 'cstring') {
          let e = p;
          while (e < p + length && data[e] !== 0) e++;
          values[spec.key] = data.toString('latin1', p, e);
        } else values[spec.key] = Buffer.from(data.subarray(p, p + length));
        p += length;
      }
      return values;
    },
  };
}
