/**
 * Cuts a TCP byte stream into frames whose first four octets give the
 * frame's whole length (CMPP's Total_Length, SMPP's command_length). Reads
 * may split a frame or carry several; a length below the header or above the
 * maximum is refused before anything is allocated for it (the stream cannot
 * be trusted after that).
 */
import type { Protocol } from '../codes';
import { SmsError } from '../errors';

export interface FramerOptions {
  /** octets of the fixed header: no frame is shorter */
  headerLength: number;
  maxLength: number;
  /** names the error: CMPP_FRAME, and "the stream is not CMPP" */
  protocol: Protocol;
  /** the document's name of the length field */
  lengthField: string;
}

export class LengthPrefixedFramer {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly options: FramerOptions) {}

  /** Adds a chunk; returns the frames it completed, in order. Throws on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    let data = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered, this.size);
    let at = 0;
    const { headerLength, maxLength } = this.options;
    while (data.length - at >= 4) {
      const length = data.readUInt32BE(at);
      if (length < headerLength || length > maxLength) {
        this.reset();
        const { protocol, lengthField } = this.options;
        throw new SmsError(`${protocol}_FRAME`, `frame: ${lengthField} ${length} is outside ${headerLength}..${maxLength}; the stream is not ${protocol} or is corrupt`, lengthField);
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

  /** octets of a frame begun and not yet complete */
  get pending(): number {
    return this.size;
  }

  /** the length the incomplete frame announces (0: none begun, or its length not yet read) */
  get announced(): number {
    const head = this.buffered[0];
    return head && head.length >= 4 ? head.readUInt32BE(0) : 0;
  }

  reset(): void {
    this.buffered = [];
    this.size = 0;
  }
}
