/**
 * Field types of binary protocol messages. Each knows its size, how to write
 * a value and how to read one; a message is an ordered list of fields and
 * one engine (table.ts) encodes, decodes and sizes every message from it.
 */
import { SmsError } from '../errors';

export type FieldValue = number | string | Buffer | string[];
export type Body = Record<string, FieldValue>;

export interface FieldType {
  /** octets this field always takes; the table engine skips size() for it */
  width?: number;
  /** octets this field takes, given the fields already read or about to be written */
  size(body: Body): number;
  write(out: Buffer, at: number, value: FieldValue | undefined, body: Body, name: string): void;
  read(data: Buffer, at: number, body: Body): FieldValue;
  /** the value an encoder writes when the caller gave none */
  empty: FieldValue;
}

export interface Field {
  /** the document's name, used in errors */
  name: string;
  /** the property of the message object */
  key: string;
  type: FieldType;
}

/** A value a field cannot write; the table engine names it with the protocol (CMPP_FIELD...). */
export function fieldError(name: string, rule: string): SmsError {
  return new SmsError('WIRE_FIELD', `${name}: ${rule}`, name);
}

function unsigned(bytes: 1 | 2 | 4, signed = false): FieldType {
  const max = signed ? 2 ** (bytes * 8 - 1) - 1 : 2 ** (bytes * 8) - 1;
  const min = signed ? -(2 ** (bytes * 8 - 1)) : 0;
  const put = signed
    ? (out: Buffer, n: number, at: number) => out.writeInt32BE(n, at)
    : bytes === 1 ? (out: Buffer, n: number, at: number) => { out[at] = n; } : bytes === 2 ? (out: Buffer, n: number, at: number) => out.writeUInt16BE(n, at) : (out: Buffer, n: number, at: number) => out.writeUInt32BE(n, at);
  return {
    width: bytes,
    size: () => bytes,
    empty: 0,
    write(out, at, value, _body, name) {
      const n = value === undefined ? 0 : typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw fieldError(name, `must be a whole number from ${min} to ${max}, got ${String(value)}`);
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
    write(out, at, value, _body, name) {
      const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
      if (text.length > width) throw fieldError(name, `at most ${width} characters, got ${text.length} ("${text}")`);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0xff) throw fieldError(name, `"${text[i]}" is not a single-octet character`);
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
      if (items.length !== Number(body[countKey] ?? 0)) throw fieldError(name, `has ${items.length} entries, ${countKey} says ${String(body[countKey])}`);
      items.forEach((v, i) => item.write(out, at + i * width, v, body, name));
    },
    read(data, at, body) {
      const items: string[] = [];
      for (let i = 0; i < Number(body[countKey]); i++) items.push(item.read(data, at + i * width, body) as string);
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
      if (bytes.length !== Number(body[lengthKey] ?? 0)) throw fieldError(name, `is ${bytes.length} octets, ${lengthKey} says ${String(body[lengthKey])}`);
      bytes.copy(out, at);
    },
    read: (data, at, body) => Buffer.from(data.subarray(at, at + Number(body[lengthKey]))),
  };
}
