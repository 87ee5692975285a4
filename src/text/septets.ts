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
  let i = 0;
  const put = (value: number): void => {
    const byte = bitPos >> 3;
    const shift = bitPos & 7;
    out[byte] |= (value << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= value >> (8 - shift);
    bitPos += 7;
  };
  // One by one up to a 56-bit boundary, then eight septets into seven octets at once.
  while (i < septets.length && bitPos % 56 !== 0) put(septets[i++] & 0x7f);
  for (let o = bitPos >> 3; i + 8 <= septets.length; i += 8, o += 7, bitPos += 56) {
    const s0 = septets[i] & 0x7f,
      s1 = septets[i + 1] & 0x7f,
      s2 = septets[i + 2] & 0x7f,
      s3 = septets[i + 3] & 0x7f;
    const s4 = septets[i + 4] & 0x7f,
      s5 = septets[i + 5] & 0x7f,
      s6 = septets[i + 6] & 0x7f,
      s7 = septets[i + 7] & 0x7f;
    out[o] = s0 | (s1 << 7);
    out[o + 1] = (s1 >> 1) | (s2 << 6);
    out[o + 2] = (s2 >> 2) | (s3 << 5);
    out[o + 3] = (s3 >> 3) | (s4 << 4);
    out[o + 4] = (s4 >> 4) | (s5 << 3);
    out[o + 5] = (s5 >> 5) | (s6 << 2);
    out[o + 6] = (s6 >> 6) | (s7 << 1);
  }
  while (i < septets.length) put(septets[i++] & 0x7f);
  return packedLength(septets.length, fillBits);
}

/** Reads `count` septets starting after `fillBits` bits of `octets`. */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): Buffer {
  const needed = packedLength(count, fillBits);
  if (octets.length < needed) {
    throw new SmsError('SMS_TRUNCATED', `user data: ${count} septets need ${needed} octets, only ${octets.length} present`, 'user data');
  }
  const out = Buffer.allocUnsafe(count);
  let i = 0;
  if (fillBits === 0) {
    // Seven octets hold eight septets: whole groups at once.
    for (let o = 0; i + 8 <= count; i += 8, o += 7) {
      const o0 = octets[o],
        o1 = octets[o + 1],
        o2 = octets[o + 2],
        o3 = octets[o + 3],
        o4 = octets[o + 4],
        o5 = octets[o + 5],
        o6 = octets[o + 6];
      out[i] = o0 & 0x7f;
      out[i + 1] = ((o0 >> 7) | (o1 << 1)) & 0x7f;
      out[i + 2] = ((o1 >> 6) | (o2 << 2)) & 0x7f;
      out[i + 3] = ((o2 >> 5) | (o3 << 3)) & 0x7f;
      out[i + 4] = ((o3 >> 4) | (o4 << 4)) & 0x7f;
      out[i + 5] = ((o4 >> 3) | (o5 << 5)) & 0x7f;
      out[i + 6] = ((o5 >> 2) | (o6 << 6)) & 0x7f;
      out[i + 7] = o6 >> 1;
    }
  }
  for (let bitPos = fillBits + i * 7; i < count; i++, bitPos += 7) {
    const byte = bitPos >> 3;
    const shift = bitPos & 7;
    let value = octets[byte] >> shift;
    if (shift > 1) value |= octets[byte + 1] << (8 - shift);
    out[i] = value & 0x7f;
  }
  return out;
}

/** Fill bits needed after a user data header of `udhOctets` octets. */
export function fillBitsAfter(udhOctets: number): number {
  return (7 - ((udhOctets * 8) % 7)) % 7;
}
