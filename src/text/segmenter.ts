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
import { fillBitsAfter, packedLength, packSeptetsInto } from './septets';
import { capacityAfterHeader, EncodingRule, profileFor, ruleFor, Target } from './targets';
import { buildUdh, concatElement, concatHeader, portsElement, udhLength, UdhElement } from './udh';

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
  readonly number: number;
  readonly total: number;
  /** the part's text (undefined for binary data) */
  readonly text?: string;
  /** the user data header, UDHL included; empty when there is none */
  readonly udh: Buffer;
  /** encoded text without the header (GSM 7-bit: one septet value per octet) */
  readonly payload: Buffer;
  /** what the target carries: header then text, GSM 7-bit packed where the target packs it */
  readonly userData: Buffer;
  /** TP-UDL: septets for GSM 7-bit (header included), else octets */
  readonly userDataLength: number;
  /** units of text in this part: septets for GSM 7-bit, else octets */
  readonly length: number;
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
  /** what one part holds, in the encoding's units (septets, or octets): 153 for GSM 7-bit in parts, 134 octets for UCS-2 */
  capacity: number;
}

const defaultAllocator = new ReferenceAllocator();

interface Cut {
  /** end offset of each part: UTF-16 index for text, octet index for binary */
  ends: number[];
  /** encoded size of each part's text, in octets (GSM 7-bit: unpacked septets) */
  sizes: number[];
  /** every character is below U+0100 and costs one unit (the codec's plain write applies) */
  plain?: boolean;
}

interface Plan extends Cut {
  encoding: Encoding;
  rule: EncodingRule;
  codec?: TextCodec;
  /** what one message holds alone, and each part of a long one */
  single: number;
  multi: number;
}

/** The cheapest encoding of the target's automatic list that writes `text` exactly. */
export function chooseEncoding(text: string, target: Target = 'generic'): Encoding {
  const profile = profileFor(target);
  for (const encoding of profile.auto) {
    if (firstUnrepresentable(text, codecFor(encoding, profile.newline)) < 0) return encoding;
  }
  return profile.auto[profile.auto.length - 1];
}

/**
 * End offsets (UTF-16 index) of each part's text: one part when all of it
 * fits in `single`, otherwise greedy parts of at most `multi` units. Returns
 * the index of the first character the codec cannot write instead, if any:
 * the same pass checks the text and cuts it.
 */
function cutText(text: string, codec: TextCodec, single: number, multi: number): Cut | { unrepresentable: number } {
  const { cost, pairCost } = codec;
  let ends: number[] | undefined; // made at the first cut: most texts fit in one part
  let sizes: number[] | undefined;
  let total = 0;
  let used = 0;
  // Bits of every code unit and every cost, ORed: plain text has none past 0xFF and no cost above 1.
  let widest = 0;
  let dearest = 0;
  for (let i = 0; i < text.length;) {
    const unit = text.charCodeAt(i);
    let width = 1;
    let c = cost[unit];
    widest |= unit;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        width = 2;
        c = pairCost;
      }
    }
    if (c === 0) return { unrepresentable: i };
    dearest |= c;
    if (used + c > multi) {
      (ends ??= []).push(i);
      (sizes ??= []).push(used);
      used = 0;
    }
    used += c;
    total += c;
    i += width;
  }
  const plain = widest <= 0xff && dearest <= 1;
  if (total <= single) return { ends: [text.length], sizes: [total], plain };
  (ends ??= []).push(text.length);
  (sizes ??= []).push(used);
  return { ends, sizes, plain };
}

/**
 * cutText for an encoding where every code unit costs the same (UCS-2): the
 * cuts follow from the length, stepping back where one would split a pair.
 */
function cutFixedWidth(text: string, width: number, single: number, multi: number): Cut {
  if (text.length * width <= single) return { ends: [text.length], sizes: [text.length * width] };
  const step = Math.floor(multi / width);
  const ends: number[] = [];
  const sizes: number[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + step, text.length);
    if (end < text.length) {
      const before = text.charCodeAt(end - 1);
      const after = text.charCodeAt(end);
      if (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff) end--;
    }
    ends.push(end);
    sizes.push((end - start) * width);
    start = end;
  }
  return { ends, sizes };
}

function cutBytes(length: number, single: number, multi: number): Cut {
  if (length <= single) return { ends: [length], sizes: [length] };
  const ends: number[] = [];
  const sizes: number[] = [];
  for (let end = multi; end < length; end += multi) {
    ends.push(end);
    sizes.push(multi);
  }
  ends.push(length);
  sizes.push(length - (ends.length - 1) * multi);
  return { ends, sizes };
}

const NO_ELEMENTS: readonly UdhElement[] = [];
/** shared by every part without a header: it has no octets to change */
const NO_HEADER = Buffer.alloc(0);
const ASCII = /^[\x00-\x7f]*$/;

/** What a message holds alone: more for all-ASCII text where the target says so (IMSP Big5). */
function singleCapacity(rule: EncodingRule, fixed: readonly UdhElement[], input: string | Buffer): number {
  if (rule.singleIfAscii && !fixed.length && typeof input === 'string' && ASCII.test(input)) return rule.singleIfAscii;
  return capacityAfterHeader(rule, udhLength(fixed));
}

/** What each part of a long message holds, after the fixed elements and the concatenation element. */
function multiCapacity(rule: EncodingRule, fixed: readonly UdhElement[], concatOctets: number, single: number): number {
  if (!rule.concatenates) return single;
  return capacityAfterHeader(rule, udhLength(fixed) + (fixed.length ? concatOctets : concatOctets + 1));
}

function tooLong(count: number, encoding: Encoding, rule: EncodingRule, multi: number): SmsError {
  const unit = rule.unit === 'septet' ? 'characters' : 'octets';
  return new SmsError('SMS_TOO_LONG', `text: needs ${count} parts of ${multi} ${unit} (${encoding}); one message holds at most ${MAX_PARTS} parts`, 'text');
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
  if (binary && requested !== 'auto' && requested !== 'binary') {
    throw new SmsError('SMS_ENCODING', `encoding: a Buffer is sent as binary, not ${requested}`, 'encoding');
  }
  const fixed: readonly UdhElement[] = options.ports
    ? [portsElement({ destination: options.ports.destination, source: options.ports.source ?? 0, portBits: options.ports.portBits ?? 16 })]
    : NO_ELEMENTS;
  const concatOctets = referenceBits === 16 ? 6 : 5;

  let plan: Plan;
  if (binary) {
    const rule = ruleFor(profile, 'binary');
    const single = singleCapacity(rule, fixed, input);
    const multi = multiCapacity(rule, fixed, concatOctets, single);
    const cut = cutBytes(input.length, single, multi);
    plan = { encoding: 'binary', rule, ends: cut.ends, sizes: cut.sizes, single, multi };
  } else {
    // Auto tries the target's encodings cheapest first; each try stops at the
    // first character it cannot write, so the text is scanned about once.
    const candidates = requested === 'auto' ? profile.auto : [requested];
    let failed: { encoding: Encoding; at: number } | undefined;
    let found: Plan | undefined;
    for (const encoding of candidates) {
      const rule = ruleFor(profile, encoding);
      const codec = codecFor(encoding, profile.newline);
      const single = singleCapacity(rule, fixed, input);
      const multi = multiCapacity(rule, fixed, concatOctets, single);
      const cut = codec.unitWidth ? cutFixedWidth(input, codec.unitWidth, single, multi) : cutText(input, codec, single, multi);
      if ('ends' in cut) {
        found = { encoding, rule, codec, ends: cut.ends, sizes: cut.sizes, plain: cut.plain, single, multi };
        break;
      }
      failed = { encoding, at: cut.unrepresentable };
    }
    if (!found) throw describeUnrepresentable(input, failed!.at, failed!.encoding);
    plan = found;
  }
  const { encoding, rule, codec, ends, sizes, plain, single, multi } = plan;
  const total = ends.length;
  if (total > 1 && !rule.concatenates) {
    throw new SmsError('SMS_TOO_LONG', `text: ${encoding} carries a single message of at most ${single} octets; use UCS-2 for longer text`, 'text');
  }
  if (total > MAX_PARTS) throw tooLong(total, encoding, rule, multi);

  let reference: number | undefined;
  if (total > 1) {
    reference = options.reference ?? (options.allocator ?? defaultAllocator).allocate(options.to ?? '', referenceBits);
  }

  // Every part's header is the same but for the sequence number, its last octet.
  const layout: Layout = {
    header:
      reference === undefined
        ? fixed.length
          ? buildUdh(fixed)
          : NO_HEADER
        : fixed.length
          ? buildUdh([...fixed, concatElement({ reference, total, sequence: 1, referenceBits })])
          : concatHeader({ reference, total, sequence: 1, referenceBits }),
    sequenced: reference !== undefined,
    codec,
    write: codec && (plain && codec.encodePlainInto ? codec.encodePlainInto : codec.encodeInto),
    input,
    packs: encoding === 'gsm7' && profile.packsSeptets,
  };
  const parts: Part[] = [];
  let start = 0;
  for (let n = 0; n < total; n++) {
    parts.push(new Part(layout, n + 1, total, start, ends[n], sizes[n]));
    start = ends[n];
  }
  layout.parts = parts;
  return { target: profile.target, encoding, code: rule.code, unit: rule.unit, reference, referenceBits, parts, count: total, capacity: total > 1 ? multi : single };
}

interface Layout {
  /** the message's parts: unpacked parts make their bytes together, in one allocation */
  parts?: Part[];
  header: Buffer;
  sequenced: boolean;
  codec?: TextCodec;
  /** how the codec writes this text (its plain write where the cut found the text plain) */
  write?: (text: string, out: Buffer, offset: number) => number;
  input: string | Buffer;
  packs: boolean;
}

/**
 * The bytes of every part of an unpacked message in one allocation: the
 * whole text is encoded once after the first header, each later part moved
 * up by the headers before it (from the last, so nothing is overwritten),
 * and the headers written into the gaps. Parts are cut at whole characters,
 * so the text's encoding is the parts' encodings end to end.
 */
function layOutTogether(layout: Layout, parts: Part[]): void {
  const { header, sequenced, write, input } = layout;
  const h = header.length;
  let textOctets = 0;
  for (const part of parts) textOctets += part.length;
  const all = Buffer.allocUnsafe(textOctets + h * parts.length);
  if (write) write(input as string, all, h);
  else (input as Buffer).copy(all, h);
  let textAt = h + textOctets;
  for (let k = parts.length - 1; k >= 0; k--) {
    textAt -= parts[k].length;
    const partAt = textAt + h * k - h;
    if (k > 0) all.copyWithin(partAt + h, textAt, textAt + parts[k].length);
    for (let i = 0; i < h; i++) all[partAt + i] = header[i]; // a few octets: a loop beats a native copy
    if (sequenced) all[partAt + h - 1] = k + 1;
    parts[k].adopt(all.subarray(partAt, partAt + h + parts[k].length));
  }
}

/** Where a packed part's septet values are written before packing: encoding is synchronous, one part at a time. */
let septetScratch = Buffer.allocUnsafe(320);

/**
 * A part knows where its text lies; its bytes are made the first time they
 * are asked for, so that counting parts (a cost estimate, an editor preview)
 * never pays for encoding.
 */
class Part implements SmsPart {
  readonly text?: string;
  /** the part's user data, made the first time it is asked for */
  private bytes?: Buffer;
  /** the septet values of a packed part, made when asked for */
  private septets?: Buffer;

  constructor(
    private readonly layout: Layout,
    readonly number: number,
    readonly total: number,
    private readonly start: number,
    private readonly end: number,
    readonly length: number,
  ) {
    if (layout.codec) this.text = (layout.input as string).slice(start, end);
  }

  get udh(): Buffer {
    return this.layout.header.length ? this.userData.subarray(0, this.layout.header.length) : NO_HEADER;
  }
  get payload(): Buffer {
    if (!this.layout.packs) return this.userData.subarray(this.layout.header.length);
    if (!this.septets) {
      this.septets = Buffer.allocUnsafe(this.length);
      this.layout.write?.(this.text as string, this.septets, 0);
    }
    return this.septets;
  }
  get userData(): Buffer {
    return this.bytes ?? this.encode();
  }
  /** septets for GSM 7-bit packed (the header's septets, fill bits included), else octets */
  get userDataLength(): number {
    const { packs, header } = this.layout;
    return packs ? Math.ceil((header.length * 8) / 7) + this.length : this.userData.length;
  }

  toJSON(): object {
    const { number, total, text, udh, payload, userData, userDataLength, length } = this;
    return { number, total, text, udh, payload, userData, userDataLength, length };
  }

  private encode(): Buffer {
    const { header, packs, parts } = this.layout;
    if (packs) return this.pack();
    if (parts && parts.length > 1) {
      layOutTogether(this.layout, parts);
      return this.bytes as Buffer;
    }
    return this.fill(Buffer.allocUnsafe(header.length + this.length));
  }

  /** Takes the bytes laid out for it with the other parts. */
  adopt(userData: Buffer): void {
    this.bytes = userData;
  }

  /** Writes the part's header and text into `out`, its size exactly. */
  private fill(out: Buffer): Buffer {
    const { header, sequenced, write, input } = this.layout;
    header.copy(out, 0);
    if (sequenced) out[header.length - 1] = this.number;
    if (write) write(this.text as string, out, header.length);
    else (input as Buffer).copy(out, header.length, this.start, this.end);
    this.bytes = out;
    return out;
  }

  /** GSM 7-bit packed after the header, from fill bits that put the first septet on a septet boundary. */
  private pack(): Buffer {
    const { header, sequenced, write } = this.layout;
    if (septetScratch.length < this.length) septetScratch = Buffer.allocUnsafe(this.length);
    const septets = septetScratch.subarray(0, this.length);
    write?.(this.text as string, septets, 0);
    const fill = fillBitsAfter(header.length);
    // From the pool, then zeroed: packing ORs septets into place.
    const userData = Buffer.allocUnsafe(header.length + packedLength(this.length, fill)).fill(0);
    header.copy(userData, 0);
    if (sequenced) userData[header.length - 1] = this.number;
    packSeptetsInto(septets, userData, header.length, fill);
    this.bytes = userData;
    return userData;
  }
}
