/**
 * Septet packing (3GPP 23.038 §6.1.2.1.1). Septets are laid end to end, least
 * significant bit first. `fillBits` leading zero bits align the first septet
 * on a septet boundary after a user data header (23.040 §9.2.3.24).
 */
import { SmsError } from '../errors';

/** Octets needed for `septets` septets after `fillBits` fill bits. */
export function packedLength(septets: number, fillBits = 0): number {
  return Math.ceil((fillBits + septets * 7) / 8);
}

export function packSeptets(septets: Uint8Array, fillBits = 0): Buffer {
  const out = Buffer.allocUnsafe(packedLength(septets.length, fillBits)).fill(0);
  packSeptetsInto(septets, out, 0, fillBits);
  return out;
}

/** Packs into `out` from `offset`, whose packedLength() octets must be zero; returns that length. */
export function packSeptetsInto(septets: Uint8Array, out: Uint8Array, offset: number, fillBits = 0): number {
  let bitPos = fillBits + offset * 8;
  for (let i = 0; i < septets.length; i++) {
    const value = septets[i] & 0x7f;
    const byte = bitPos >> 3;
    const shift = bitPos & 7;
    out[byte] |= (value << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= value >> (8 - shift);
    bitPos += 7;
  }
  return packedLength(septets.length, fillBits);
}

/** Reads `count` septets starting after `fillBits` bits of `octets`. */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): Buffer {
  const needed = packedLength(count, fillBits);
  if (octets.length < needed) {
    throw new SmsError('SMS_TRUNCATED', `user data: ${count} septets need ${needed} octets, only ${octets.length} present`, 'user data');
  }
  const out = Buffer.allocUnsafe(count);
  let bitPos = fillBits;
  for (let i = 0; i < count; i++) {
    const byte = bitPos >> 3;
    const shift = bitPos & 7;
    let value = octets[byte] >> shift;
    if (shift > 1) value |= octets[byte + 1] << (8 - shift);
    out[i] = value & 0x7f;
    bitPos += 7;
  }
  return out;
}

/** Fill bits needed after a user data header of `udhOctets` octets. */
export function fillBitsAfter(udhOctets: number): number {
  return (7 - ((udhOctets * 8) % 7)) % 7;
}
