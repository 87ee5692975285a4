/**
 * Reading and writing TPDU octets with errors that name the field: a
 * malformed PDU (bad hex, cut short, lengths that disagree) is refused,
 * never read as a wrong message.
 */
import { SmsError } from '../errors';

export function fromHex(hex: string): Buffer {
  const clean = hex.trim();
  if (clean.length % 2 !== 0) throw new SmsError('PDU_HEX', `PDU: ${clean.length} hex digits, an odd number; a PDU is whole octets`, 'PDU');
  const bytes = Buffer.from(clean, 'hex');
  // Node stops at the first pair that is not hex: a short result means a bad digit.
  if (bytes.length * 2 !== clean.length) {
    const bad = /[^0-9A-Fa-f]/.exec(clean) as RegExpExecArray;
    throw new SmsError('PDU_HEX', `PDU: "${bad[0]}" at position ${bad.index + 1} is not a hex digit`, 'PDU');
  }
  return bytes;
}

export class Reader {
  at = 0;
  /** `owned`: the data was made for this read (from hex), so what is read may point into it */
  constructor(
    readonly data: Buffer,
    private readonly owned = false,
  ) {}

  get left(): number {
    return this.data.length - this.at;
  }

  private need(n: number, field: string): void {
    if (this.at + n > this.data.length) {
      throw new SmsError('PDU_TRUNCATED', `${field}: needs ${n} octet(s) at octet ${this.at + 1}, only ${this.left} left; the PDU is cut short`, field);
    }
  }

  octet(field: string): number {
    this.need(1, field);
    return this.data[this.at++];
  }

  /** Passes over n octets; returns where they start in `data`. */
  skip(n: number, field: string): number {
    this.need(n, field);
    this.at += n;
    return this.at - n;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return this.owned ? out : Buffer.from(out);
  }

  end(): void {
    if (this.left > 0) throw new SmsError('PDU_LENGTH', `TP-UD: ${this.left} octet(s) left over after the user data; TP-UDL or the PDU length is wrong`, 'TP-UDL');
  }
}

/** The longest PDU: an SMSC prefix of 12 octets and a TPDU of at most 164 (23.040). */
const MAX_PDU_OCTETS = 12 + 164;

/**
 * Where every PDU is written: encoding is synchronous and writes one PDU at
 * a time, and what leaves (hex text, or a copy) never points into it.
 */
const SCRATCH = Buffer.allocUnsafe(MAX_PDU_OCTETS);

/** Writes a PDU into one buffer, octet by octet. */
export class Writer {
  private readonly out = SCRATCH;
  /** octets written so far */
  at = 0;
  /** where reserve() hands out room */
  get buffer(): Buffer {
    return this.out;
  }
  /** Takes n octets to be written in place (set to `fill` when given); returns where they start. */
  reserve(n: number, fill?: number): number {
    if (fill !== undefined) this.out.fill(fill, this.at, this.at + n);
    this.at += n;
    return this.at - n;
  }
  octet(value: number): this {
    this.out[this.at++] = value & 0xff;
    return this;
  }
  bytes(value: Uint8Array): this {
    this.out.set(value, this.at);
    this.at += value.length;
    return this;
  }
  /** The PDU as AT PDU mode carries it: upper-case hex. */
  hex(): string {
    return this.out.toString('hex', 0, this.at).toUpperCase();
  }
  toBuffer(): Buffer {
    return Buffer.from(this.out.subarray(0, this.at));
  }
}
