/**
 * The table engine: sizes, writes and reads a message body from its ordered
 * list of fields. Each table is compiled once into a writer and a reader
 * that access the body's properties directly and call each field type from
 * its own site (the generic loop spent most of its time looking up types and
 * keys). Errors carry the protocol's name (CMPP_FIELD on encode, CMPP_DECODE
 * on decode) and the field's.
 */
import type { Protocol } from '../codes';
import { SmsError } from '../errors';
import { Body, Field, FieldType } from './fields';

type Writer = (out: Buffer, at: number, body: Body, types: readonly FieldType[], names: readonly string[]) => number;
type Reader = (data: Buffer, at: number, end: number, table: Compiled, what: string, protocol: Protocol) => Body;
type Sizer = (body: Body, types: readonly FieldType[]) => number;

interface Compiled {
  types: FieldType[];
  names: string[];
  size: Sizer;
  write: Writer;
  read: Reader;
}

const compiled = new WeakMap<readonly Field[], Compiled>();

/** `body.key`, or `body["key"]` for a key that is not a plain identifier */
const access = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `body.${key}` : `body[${JSON.stringify(key)}]`);

/** The writer's code for field `i`: the common case in line where the type allows it, else a call to its write(). */
function writeCode(type: FieldType, i: number, value: string, size: string): string {
  const call = `types[${i}].write(out, at, v, body, names[${i}])`;
  if (type.inline === 'text' && type.width !== undefined) {
    const width = type.width;
    return `{ const v = ${value}; if (typeof v === 'string' && v.length <= ${width}) { let j = 0; for (; j < v.length; j++) { const c = v.charCodeAt(j); if (c > 0xff) break; out[at + j] = c; } if (j < v.length) ${call}; for (; j < ${width}; j++) out[at + j] = 0; } else ${call}; at += ${width}; }`;
  }
  if (type.inline === 'octet') {
    return `{ const v = ${value}; if (typeof v === 'number' && v >= 0 && v <= 255 && (v | 0) === v) out[at] = v; else ${call}; at += 1; }`;
  }
  return `types[${i}].write(out, at, ${value}, body, names[${i}]); at += ${size};`;
}

function compile(fields: readonly Field[]): Compiled {
  let table = compiled.get(fields);
  if (table) return table;
  const types = fields.map((f) => f.type);
  const names = fields.map((f) => f.name);
  // Writing, a field's size follows from its value; reading, from the data (a NUL), the rest of the body, or the fields before.
  const sizeOf = (i: number): string => (types[i].width !== undefined ? String(types[i].width) : `types[${i}].size(body, ${access(fields[i].key)})`);
  const readSizeOf = (i: number): string => {
    const type = types[i];
    if (type.width !== undefined) return String(type.width);
    if (type.measure) return `types[${i}].measure(data, at, end, body)`;
    if (type.rest) return 'end - at';
    return `types[${i}].size(body)`;
  };
  const size = fields.map((_, i) => `n += ${sizeOf(i)};`).join('\n');
  const write = fields.map((f, i) => writeCode(types[i], i, access(f.key), sizeOf(i))).join('\n');
  const read = fields
    .map(
      (f, i) => `s = ${readSizeOf(i)}; if (s < 0 || at + s > end) short(table, ${i}, data, start, at, end, s, what, protocol); ${access(f.key)} = types[${i}].read(data, at, body, at + s); at += s;`,
    )
    .join('\n');
  // Each table is compiled once into plain functions (direct property reads, widths known): the code is made
  // from the table's own field names and types, never from data, so the Function constructor is safe here.
  /* eslint-disable @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call */
  table = {
    types,
    names,
    size: new Function('body', 'types', `let n = 0;\n${size}\nreturn n;`) as Sizer,
    write: new Function('out', 'at', 'body', 'types', 'names', `${write}\nreturn at;`) as Writer,
    read: new Function(
      'short',
      'over',
      `return function read(data, start, end, table, what, protocol) {\nconst { types } = table; const body = {}; let at = start; let s = 0;\n${read}\nif (at !== end) over(end - at, what, protocol);\nreturn body;\n};`,
    )(tooShort, leftOver) as Reader,
  };
  /* eslint-enable @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call */
  compiled.set(fields, table);
  return table;
}

const known = new WeakMap<readonly Field[], Map<string, string>>();

/**
 * Refuses a body with a field the table does not have (`srcID` for
 * `srcId`), which would otherwise go out as an empty field: for bodies a
 * user builds, not the clients' own.
 */
export function refuseUnknownFields(fields: readonly Field[], body: Body, what: string, protocol: Protocol): void {
  let names = known.get(fields);
  if (!names) {
    names = new Map(fields.map((f) => [f.key.toLowerCase(), f.key]));
    known.set(fields, names);
  }
  for (const key of Object.keys(body)) {
    const exact = names.get(key.toLowerCase());
    if (exact === key) continue;
    const hint = exact ? `; did you mean ${exact}?` : `; its fields are ${[...names.values()].join(', ')}`;
    throw new SmsError(`${protocol}_FIELD`, `${key}: ${what} has no field of that name${hint}`, key);
  }
}

export function bodySize(fields: readonly Field[], body: Body): number {
  const table = compile(fields);
  return table.size(body, table.types);
}

/** Writes the fields from `start`; a value a field cannot take throws `${protocol}_FIELD`. */
export function writeFields(fields: readonly Field[], body: Body, out: Buffer, start: number, protocol: Protocol): void {
  const table = compile(fields);
  try {
    table.write(out, start, body, table.types, table.names);
  } catch (err) {
    const e = err as SmsError;
    throw e.code === 'WIRE_FIELD' ? new SmsError(`${protocol}_FIELD`, e.message, e.field) : e;
  }
}

/** Reads the fields between `start` and `end`, which they must fill exactly; else `${protocol}_DECODE`. */
export function readFields(fields: readonly Field[], data: Buffer, start: number, end: number, what: string, protocol: Protocol): Body {
  const table = compile(fields);
  try {
    return table.read(data, start, end, table, what, protocol);
  } catch (err) {
    const e = err as SmsError;
    // A field that checks what it reads (optional parameters) names itself.
    throw e.code === 'WIRE_FIELD' ? new SmsError(`${protocol}_DECODE`, `${what}: ${e.message}`, e.field) : e;
  }
}

function tooShort(table: Compiled, index: number, _data: Buffer, start: number, at: number, end: number, size: number, what: string, protocol: Protocol): never {
  const name = table.names[index];
  if (size < 0) {
    throw new SmsError(`${protocol}_DECODE`, `${what}: ${name} at offset ${at - start} has no NUL within its ${table.types[index].limit ?? 'length'}`, name);
  }
  throw new SmsError(`${protocol}_DECODE`, `${what}: ${name} needs ${size} octets at offset ${at - start}, only ${Math.max(0, end - at)} left`, name);
}

function leftOver(octets: number, what: string, protocol: Protocol): never {
  throw new SmsError(`${protocol}_DECODE`, `${what}: ${octets} octets left over after the last field`, 'Total_Length');
}
