/**
 * User data header (3GPP 23.040 §9.2.3.24): UDHL then information elements,
 * each IEI, IEDL, data. The elements this package understands are described
 * once in ELEMENTS; everything else passes through untouched.
 */
import { SmsError } from '../errors';

export interface UdhElement {
  id: number;
  data: Buffer;
}

export interface Concatenation {
  reference: number;
  total: number;
  sequence: number;
  referenceBits: 8 | 16;
}

export interface ApplicationPorts {
  destination: number;
  source: number;
  portBits: 8 | 16;
}

export interface Udh {
  elements: UdhElement[];
  concat?: Concatenation;
  ports?: ApplicationPorts;
}

interface ElementDef<T> {
  id: number;
  length: number;
  name: string;
  read(data: Buffer): T;
  write(value: T): Buffer;
}

const CONCAT_8: ElementDef<Concatenation> = {
  id: 0x00,
  length: 3,
  name: 'concatenation (8-bit reference)',
  read: (d) => ({ reference: d[0], total: d[1], sequence: d[2], referenceBits: 8 }),
  write: (c) => Buffer.from([c.reference, c.total, c.sequence]),
};
const CONCAT_16: ElementDef<Concatenation> = {
  id: 0x08,
  length: 4,
  name: 'concatenation (16-bit reference)',
  read: (d) => ({ reference: d.readUInt16BE(0), total: d[2], sequence: d[3], referenceBits: 16 }),
  write: (c) => Buffer.from([c.reference >> 8, c.reference & 0xff, c.total, c.sequence]),
};
const PORTS_8: ElementDef<ApplicationPorts> = {
  id: 0x04,
  length: 2,
  name: 'application ports (8-bit)',
  read: (d) => ({ destination: d[0], source: d[1], portBits: 8 }),
  write: (p) => Buffer.from([p.destination, p.source]),
};
const PORTS_16: ElementDef<ApplicationPorts> = {
  id: 0x05,
  length: 4,
  name: 'application ports (16-bit)',
  read: (d) => ({ destination: d.readUInt16BE(0), source: d.readUInt16BE(2), portBits: 16 }),
  write: (p) => {
    const b = Buffer.alloc(4);
    b.writeUInt16BE(p.destination, 0);
    b.writeUInt16BE(p.source, 2);
    return b;
  },
};

const CONCAT_BY_BITS = { 8: CONCAT_8, 16: CONCAT_16 } as const;
const PORTS_BY_BITS = { 8: PORTS_8, 16: PORTS_16 } as const;
const KNOWN = new Map<number, ElementDef<Concatenation> | ElementDef<ApplicationPorts>>([CONCAT_8, CONCAT_16, PORTS_8, PORTS_16].map((def) => [def.id, def]));

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SmsError('SMS_FIELD', `${field}: must be a whole number from ${min} to ${max}, got ${value}`, field);
  }
}

function checkBits(field: string, bits: unknown): void {
  if (bits !== 8 && bits !== 16) throw new SmsError('SMS_FIELD', `${field}: must be 8 or 16, got ${String(bits)}`, field);
}

export function concatElement(c: Concatenation): UdhElement {
  checkBits('referenceBits', c.referenceBits);
  checkRange('reference', c.reference, 0, c.referenceBits === 16 ? 0xffff : 0xff);
  checkRange('total', c.total, 1, 255);
  checkRange('sequence', c.sequence, 1, c.total);
  return { id: CONCAT_BY_BITS[c.referenceBits].id, data: CONCAT_BY_BITS[c.referenceBits].write(c) };
}

/**
 * The header of a part that carries only concatenation (the common case),
 * written directly: 05 00 03 ref total seq, or 06 08 04 ref ref total seq.
 */
export function concatHeader(c: Concatenation): Buffer {
  checkBits('referenceBits', c.referenceBits);
  checkRange('reference', c.reference, 0, c.referenceBits === 16 ? 0xffff : 0xff);
  checkRange('total', c.total, 1, 255);
  checkRange('sequence', c.sequence, 1, c.total);
  if (c.referenceBits === 8) {
    const out = Buffer.allocUnsafe(6);
    out[0] = 5;
    out[1] = 0x00;
    out[2] = 3;
    out[3] = c.reference;
    out[4] = c.total;
    out[5] = c.sequence;
    return out;
  }
  const out = Buffer.allocUnsafe(7);
  out[0] = 6;
  out[1] = 0x08;
  out[2] = 4;
  out[3] = c.reference >> 8;
  out[4] = c.reference & 0xff;
  out[5] = c.total;
  out[6] = c.sequence;
  return out;
}

export function portsElement(p: ApplicationPorts): UdhElement {
  checkBits('portBits', p.portBits);
  const max = p.portBits === 16 ? 0xffff : 0xff;
  checkRange('destination port', p.destination, 0, max);
  checkRange('source port', p.source, 0, max);
  return { id: PORTS_BY_BITS[p.portBits].id, data: PORTS_BY_BITS[p.portBits].write(p) };
}

/** Octets a header with these elements takes, UDHL included (0 when there are none). */
export function udhLength(elements: readonly UdhElement[]): number {
  if (elements.length === 0) return 0;
  let n = 1;
  for (const e of elements) n += 2 + e.data.length;
  return n;
}

export function buildUdh(elements: readonly UdhElement[]): Buffer {
  const length = udhLength(elements);
  if (length === 0) return Buffer.alloc(0);
  if (length - 1 > 0xff) throw new SmsError('SMS_FIELD', `udh: elements take ${length - 1} octets, at most 255 fit`, 'udh');
  const out = Buffer.allocUnsafe(length);
  out[0] = length - 1;
  let at = 1;
  for (const e of elements) {
    out[at++] = e.id;
    out[at++] = e.data.length;
    e.data.copy(out, at);
    at += e.data.length;
  }
  return out;
}

/**
 * Reads the header at the start of `userData` (UDHL first). Returns the
 * header and the number of octets it took. Malformed headers throw.
 */
export function parseUdh(userData: Uint8Array): { udh: Udh; length: number } {
  if (userData.length < 1) throw new SmsError('SMS_TRUNCATED', 'udh: the header length octet is missing', 'udh');
  const udhl = userData[0];
  if (udhl + 1 > userData.length) {
    throw new SmsError('SMS_TRUNCATED', `udh: header says ${udhl} octets, only ${userData.length - 1} present`, 'udh');
  }
  const body = Buffer.from(userData.buffer, userData.byteOffset + 1, udhl);
  const udh: Udh = { elements: [] };
  let at = 0;
  while (at < body.length) {
    if (at + 2 > body.length) throw new SmsError('SMS_MALFORMED', `udh: element at octet ${at + 1} is cut short`, 'udh');
    const id = body[at];
    const len = body[at + 1];
    if (at + 2 + len > body.length) {
      throw new SmsError('SMS_MALFORMED', `udh: element 0x${id.toString(16).padStart(2, '0')} says ${len} octets, only ${body.length - at - 2} left`, 'udh');
    }
    const data = Buffer.from(body.subarray(at + 2, at + 2 + len));
    udh.elements.push({ id, data });
    const def = KNOWN.get(id);
    if (def) {
      if (len !== def.length) {
        throw new SmsError('SMS_MALFORMED', `udh: ${def.name} must carry ${def.length} octets, has ${len}`, 'udh');
      }
      if (def === CONCAT_8 || def === CONCAT_16) udh.concat = def.read(data);
      else udh.ports = (def as ElementDef<ApplicationPorts>).read(data);
    }
    at += 2 + len;
  }
  return { udh, length: udhl + 1 };
}
