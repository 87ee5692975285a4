/**
 * The table engine: sizes, writes and reads a message body from its ordered
 * list of fields. Pure functions; errors carry the protocol's name
 * (CMPP_FIELD on encode, CMPP_DECODE on decode) and the field's.
 */
import type { Protocol } from '../codes';
import { SmsError } from '../errors';
import { Body, Field } from './fields';

export function bodySize(fields: readonly Field[], body: Body): number {
  let size = 0;
  for (const field of fields) size += field.type.size(body);
  return size;
}

/** Writes the fields from `start`; a value a field cannot take throws `${protocol}_FIELD`. */
export function writeFields(fields: readonly Field[], body: Body, out: Buffer, start: number, protocol: Protocol): void {
  let at = start;
  try {
    for (const field of fields) {
      field.type.write(out, at, body[field.key], body, field.name);
      at += field.type.size(body);
    }
  } catch (err) {
    const e = err as SmsError;
    throw e.code === 'WIRE_FIELD' ? new SmsError(`${protocol}_FIELD`, e.message, e.field) : e;
  }
}

/** Reads the fields between `start` and `end`, which they must fill exactly; else `${protocol}_DECODE`. */
export function readFields(fields: readonly Field[], data: Buffer, start: number, end: number, what: string, protocol: Protocol): Body {
  const body: Body = {};
  let at = start;
  for (const field of fields) {
    const size = field.type.size(body);
    if (at + size > end) {
      throw new SmsError(`${protocol}_DECODE`, `${what}: ${field.name} needs ${size} octets at offset ${at - start}, only ${Math.max(0, end - at)} left`, field.name);
    }
    body[field.key] = field.type.read(data, at, body);
    at += size;
  }
  if (at !== end) {
    throw new SmsError(`${protocol}_DECODE`, `${what}: ${end - at} octets left over after the last field`, 'Total_Length');
  }
  return body;
}
