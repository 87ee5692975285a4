/**
 * Reading and writing TPDU octets with errors that name the field: a
 * malformed PDU (bad hex, cut short, lengths that disagree) is refused,
 * never read as a wrong message.
 */
import { SmsError } from '../errors';

export function fromHex(hex: string): Buffer {
  const clean = hex.trim();
  if (clean.length % 2 !== 0) throw new SmsError('PDU_HEX', `PDU: ${clean.length} hex digits, an odd number; a PDU is whole octets`, 'PDU');
  const bad = /[^0-9A-Fa-f]/.exec(clean);
  if (bad) throw new SmsError('PDU_HEX', `PDU: "${bad[0]}" at position ${bad.index + 1} is not a hex digit`, 'PDU');
  return Buffer.from(clean, 'hex');
}

export class Reader {
  at = 0;
  constructor(readonly data: Buffer) {}

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

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return Buffer.from(out);
  }

  end(): void {
    if (this.left > 0) throw new SmsError('PDU_LENGTH', `TP-UD: ${this.left} octet(s) left over after the user data; TP-UDL or the PDU length is wrong`, 'TP-UDL');
  }
}

export class Writer {
  private readonly parts: Buffer[] = [];
  octet(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]));
    return this;
  }
  bytes(value: Buffer): this {
    this.parts.push(value);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
