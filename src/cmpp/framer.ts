/**
 * The CMPP framer: frames of a 12-octet header whose Total_Length counts
 * the whole frame.
 */
import { LengthPrefixedFramer } from '../wire/framer';

/** Larger than any CMPP message: a SUBMIT to 255 numbers of 32 octets with 255 octets of content. */
export const DEFAULT_MAX_FRAME = 16 * 1024;

export class Framer extends LengthPrefixedFramer {
  constructor(maxLength = DEFAULT_MAX_FRAME) {
    super({ headerLength: 12, maxLength, protocol: 'CMPP', lengthField: 'Total_Length' });
  }
}
