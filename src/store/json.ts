/**
 * Records to text and back for the stores that keep text: Buffers (message
 * content, authenticators) survive as themselves, written as base64.
 */
/**
 * The value with each Buffer in it as `{ $b64 }`, copying only the objects
 * and arrays on the way to one (a record without a Buffer is itself): plain
 * JSON.stringify then writes it, several times faster than with a replacer
 * called for every key. An object that writes itself (toJSON) is left to do so.
 */
function withBase64(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return { $b64: value.toString('base64') };
  if (depth > MAX_BUFFER_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null || typeof item !== 'object') continue;
      const written = withBase64(item, depth + 1);
      if (written !== item) (copy ??= value.slice())[i] = written;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (item === null || typeof item !== 'object') continue;
    const written = withBase64(item, depth + 1);
    if (written !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = written;
  }
  return copy ?? value;
}
/** deeper than this, a Buffer is written as JSON writes it (fromJson reads both) */
const MAX_BUFFER_DEPTH = 32;

export function toJson(value: unknown): string {
  return JSON.stringify(withBase64(value, 0));
}

export function fromJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // Walked only when it may hold a Buffer: a reviver called for every key costs several times the parse.
  return text.includes('"$b64"') || text.includes('"Buffer"') ? withBuffers(value) : value;
}

/** The parsed value with each `{ $b64 }` (or JSON's own form of a Buffer) made a Buffer again, in place. */
function withBuffers(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const v = value as { $b64?: unknown; type?: unknown; data?: unknown };
  if (typeof v.$b64 === 'string') return Buffer.from(v.$b64, 'base64');
  if (v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data as number[]);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') value[i] = withBuffers(item);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (item !== null && typeof item === 'object') record[key] = withBuffers(item);
  }
  return value;
}

/**
 * The part of a value that survives a restart: what JSON keeps. Objects that
 * cannot be written (an HTTP response, a socket, a cycle) are left out.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const plain = plainCopy(value, 0);
  if (plain !== NOT_PLAIN) return plain;
  try {
    return fromJson(toJson(value));
  } catch {
    if (typeof value !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      try {
        const text = toJson(v);
        if (text !== undefined) out[k] = fromJson(text);
      } catch {
        // left out: it cannot survive a restart
      }
    }
    return out;
  }
}

const NOT_PLAIN = Symbol('not plain');
const MAX_PLAIN_DEPTH = 8;

/**
 * What JSON would make of plain data (strings, finite numbers, booleans,
 * null, arrays and plain objects of them), copied without writing text; or
 * NOT_PLAIN for anything else (a Buffer, a Date, a class, a cycle), which
 * goes the JSON way.
 */
function plainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_PLAIN_DEPTH) return NOT_PLAIN;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i] === undefined ? null : plainCopy(value[i], depth + 1);
          if (item === NOT_PLAIN) return NOT_PLAIN;
          out[i] = item;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (key === '__proto__') return NOT_PLAIN;
        const copy = plainCopy(item, depth + 1);
        if (copy === NOT_PLAIN) return NOT_PLAIN;
        out[key] = copy;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}
