import { codecFor, Encoding } from './codecs';
import { NewlineStyle } from './gsm7';

export { ESCAPE, decodeGsm7, encodeGsm7, gsm7Length, isGsm7, NewlineStyle } from './gsm7';
export { packSeptets, unpackSeptets, packedLength, fillBitsAfter } from './septets';
export { codecFor, Encoding, ENCODINGS, firstUnrepresentable, TextCodec } from './codecs';
export { PROFILES, profileFor, Target, TARGETS, TargetProfile, EncodingRule } from './targets';
export { buildUdh, parseUdh, concatElement, portsElement, udhLength, Udh, UdhElement, Concatenation, ApplicationPorts } from './udh';
export { segment, chooseEncoding, MAX_PARTS, SegmentOptions, Segmentation, SmsPart } from './segmenter';
export { ReferenceAllocator, ReferenceAllocatorOptions } from './references';
export { Reassembler, ReassemblerOptions, ReassembledMessage, IncomingPart, ReassemblerStats } from '../tracking/reassembly';

/** Encodes text in any supported encoding (GSM 7-bit as unpacked septet values). */
export function encodeText(text: string, encoding: Encoding, newline: NewlineStyle = 'lf'): Buffer {
  return codecFor(encoding, newline).encode(text);
}
export function decodeText(bytes: Uint8Array, encoding: Encoding, newline: NewlineStyle = 'lf'): string {
  return codecFor(encoding, newline).decode(bytes);
}
