/**
 * Splits text (or binary data) into the SMS parts a target carries.
 *
 * Every character is an atom with a cost in the encoding's units (a GSM
 * escape pair costs 2 septets, a surrogate pair 4 octets in UCS-2). Parts are
 * filled greedily, atom by atom: for pieces that must stay in order this
 * gives the least number of parts, and no atom is ever cut in two.
 */
import { SmsError } from '../errors';
import { codecFor, describeUnrepresentable, Encoding, firstUnrepresentable, TextCodec } from './codecs';
import { ReferenceAllocator } from './references';
import { fillBitsAfter, packSeptets } from './septets';
import { capacityAfterHeader, EncodingRule, profileFor, ruleFor, Target, TargetProfile } from './targets';
import { buildUdh, concatElement, portsElement, udhLength, UdhElement } from './udh';

export const MAX_PARTS = 255;

export interface SegmentOptions {
  /** whose limits and codes apply (default generic: the GSM standard's) */
  target?: Target;
  /** a fixed encoding, or auto: the cheapest one that writes the text exactly */
  encoding?: Encoding | 'auto';
  /** size of the concatenation reference (default 8) */
  referenceBits?: 8 | 16;
  /** a fixed reference; otherwise one comes from the allocator */
  reference?: number;
  /** the destination, so that references roll per phone */
  to?: string;
  allocator?: ReferenceAllocator;
  /** application ports, carried in every part's header */
  ports?: { destination: number; source?: number; portBits?: 8 | 16 };
}

export interface SmsPart {
  /** 1-based */
  number: number;
  total: number;
  /** the part's text (undefined for binary data) */
  text?: string;
  /** the user data header, UDHL included; empty when there is none */
  udh: Buffer;
  /** encoded text without the header (GSM 7-bit: one septet value per octet) */
  payload: Buffer;
  /** what the target carries: header then text, GSM 7-bit packed where the target packs it */
  userData: Buffer;
  /** TP-UDL: septets for GSM 7-bit (header included), else octets */
  userDataLength: number;
  /** units of text in this part: septets for GSM 7-bit, else octets */
  length: number;
}

export interface Segmentation {
  target: Target;
  encoding: Encoding;
  /** the target's code for the encoding (TP-DCS, Msg_Fmt, msg_dcs) */
  code: number;
  unit: 'septet' | 'octet';
  /** set when the message has more than one part */
  reference?: number;
  referenceBits: 8 | 16;
  parts: SmsPart[];
  /** how many SMS the message costs */
  count: number;
}

const defaultAllocator = new ReferenceAllocator();

/** The cheapest encoding of the target's automatic list that writes `text` exactly. */
export function chooseEncoding(text: string, target: Target = 'generic'): Encoding {
  const profile = profileFor(target);
  for (const encoding of profile.auto) {
    if (firstUnrepresentable(text, codecFor(encoding, profile.newline)) < 0) return encoding;
  }
  return profile.auto[profile.auto.length - 1];
}

/**
 * End offsets (UTF-16 index) of each part's text. One part when all of it
 * fits in `single`; otherwise greedy parts of at most `multi` units.
 */
function cutText(text: string, codec: TextCodec, single: number, multi: number): number[] {
  const { cost, pairCost } = codec;
  const ends: number[] = [];
  let total = 0;
  let used = 0;
  for (let i = 0; i < text.length; ) {
    const unit = text.charCodeAt(i);
    let width = 1;
    let c = cost[unit];
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        width = 2;
        c = pairCost;
      }
    }
    if (used + c > multi) {
      ends.push(i);
      used = 0;
    }
    used += c;
    total += c;
    i += width;
  }
  if (total <= single) return [text.length];
  ends.push(text.length);
  return ends;
}

function cutBytes(length: number, single: number, multi: number): number[] {
  if (length <= single) return [length];
  const ends: number[] = [];
  for (let end = multi; end < length; end += multi) ends.push(end);
  ends.push(length);
  return ends;
}

function tooLong(count: number, encoding: Encoding, rule: EncodingRule, multi: number): SmsError {
  const unit = rule.unit === 'septet' ? 'characters' : 'octets';
  return new SmsError(
    'SMS_TOO_LONG',
    `text: needs ${count} parts of ${multi} ${unit} (${encoding}); one message holds at most ${MAX_PARTS} parts`,
    'text',
  );
}

export function segment(input: string | Buffer, options: SegmentOptions = {}): Segmentation {
  const profile = profileFor(options.target ?? 'generic');
  const referenceBits = options.referenceBits ?? 8;
  if (referenceBits !== 8 && referenceBits !== 16) {
    throw new SmsError('SMS_FIELD', `referenceBits: must be 8 or 16, got ${String(referenceBits)}`, 'referenceBits');
  }
  const binary = Buffer.isBuffer(input);
  if (!binary && typeof input !== 'string') {
    throw new SmsError('SMS_FIELD', `payload: must be text or a Buffer, got ${input === null ? 'null' : typeof input}`, 'payload');
  }
  const requested = options.encoding ?? 'auto';
  const encoding: Encoding = binary ? 'binary' : requested === 'auto' ? chooseEncoding(input, profile.target) : requested;
  if (binary && requested !== 'auto' && requested !== 'binary') {
    throw new SmsError('SMS_ENCODING', `encoding: a Buffer is sent as binary, not ${requested}`, 'encoding');
  }
  const rule = ruleFor(profile, encoding);
  const codec = binary ? undefined : codecFor(encoding, profile.newline);
  if (codec) {
    const bad = firstUnrepresentable(input as string, codec);
    if (bad >= 0) throw describeUnrepresentable(input as string, bad, encoding);
  }

  const fixed: UdhElement[] = options.ports
    ? [portsElement({ destination: options.ports.destination, source: options.ports.source ?? 0, portBits: options.ports.portBits ?? 16 })]
    : [];
  const single = capacityAfterHeader(rule, udhLength(fixed));
  const concatOctets = referenceBits === 16 ? 6 : 5;
  const multi = rule.concatenates ? capacityAfterHeader(rule, udhLength(fixed) + (fixed.length ? concatOctets : concatOctets + 1)) : single;

  const ends = binary ? cutBytes(input.length, single, multi) : cutText(input as string, codec as TextCodec, single, multi);
  const total = ends.length;
  if (total > 1 && !rule.concatenates) {
    throw new SmsError('SMS_TOO_LONG', `text: ${encoding} carries a single message of at most ${single} octets; use UCS-2 for longer text`, 'text');
  }
  if (total > MAX_PARTS) throw tooLong(total, encoding, rule, multi);

  let reference: number | undefined;
  if (total > 1) {
    reference = options.reference ?? (options.allocator ?? defaultAllocator).allocate(options.to ?? '', referenceBits);
  }

  const parts: SmsPart[] = [];
  let start = 0;
  for (let n = 0; n < total; n++) {
    const end = ends[n];
    const elements = reference === undefined ? fixed : [...fixed, concatElement({ reference, total, sequence: n + 1, referenceBits })];
    const udh = buildUdh(elements);
    let text: string | undefined;
    let payload: Buffer;
    if (binary) {
      payload = (input as Buffer).subarray(start, end);
    } else {
      text = (input as string).slice(start, end);
      payload = (codec as TextCodec).encode(text);
    }
    parts.push(assemble(n + 1, total, text, udh, payload, encoding, profile));
    start = end;
  }
  return { target: profile.target, encoding, code: rule.code, unit: rule.unit, reference, referenceBits, parts, count: total };
}

function assemble(number: number, total: number, text: string | undefined, udh: Buffer, payload: Buffer, encoding: Encoding, profile: TargetProfile): SmsPart {
  if (encoding === 'gsm7' && profile.packsSeptets) {
    const packed = packSeptets(payload, fillBitsAfter(udh.length));
    const headerSeptets = Math.ceil((udh.length * 8) / 7);
    return {
      number, total, text, udh, payload,
      userData: udh.length ? Buffer.concat([udh, packed]) : packed,
      userDataLength: headerSeptets + payload.length,
      length: payload.length,
    };
  }
  const userData = udh.length ? Buffer.concat([udh, payload]) : payload;
  return { number, total, text, udh, payload, userData, userDataLength: userData.length, length: payload.length };
}
