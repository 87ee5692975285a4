/**
 * Cuts a TCP byte stream into CMPP frames. Reads may split a frame or carry
 * several; a Total_Length below the header or above `maxLength` is refused
 * before anything is allocated for it (the stream cannot be trusted after that).
 */
import { SmsError } from '../errors';
import { HEADER_LENGTH } from './codec';

/** Larger than any CMPP message: a SUBMIT to 255 numbers of 32 octets with 255 octets of content. */
export const DEFAULT_MAX_FRAME = 16 * 1024;

export class Framer {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLength = DEFAULT_MAX_FRAME) {}

  /** Adds a chunk; returns the frames it completed, in order. Throws on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    let data = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered, this.size);
    let at = 0;
    while (data.length - at >= 4) {
      const length = data.readUInt32BE(at);
      if (length < HEADER_LENGTH || length > this.maxLength) {
        this.reset();
        throw new SmsError('CMPP_FRAME', `frame: Total_Length ${length} is outside ${HEADER_LENGTH}..${this.maxLength}; the stream is not CMPP or is corrupt`, 'Total_Length');
      }
      if (data.length - at < length) break;
      frames.push(data.subarray(at, at + length));
      at += length;
    }
    data = data.subarray(at);
    this.buffered = data.length ? [data] : [];
    this.size = data.length;
    return frames;
  }

  reset(): void {
    this.buffered = [];
    this.size = 0;
  }
}
