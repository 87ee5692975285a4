/**
 * What every channel checks before it sends: a message has text, and it
 * costs no more SMS than the user allows.
 */
import { SmsError } from './errors';
import { Segmentation } from './text/segmenter';

/** SMS one message may cost unless the user says otherwise (like the 1,600-character cap of common SMS APIs) */
export const DEFAULT_MAX_PARTS = 10;

/** Refuses an empty message; only an explicit Buffer sent as binary may be empty. */
export function refuseEmpty(payload: string | Buffer, encoding?: string): void {
  if (payload.length > 0) return;
  if (Buffer.isBuffer(payload) && encoding === 'binary') return;
  throw new SmsError('SMS_EMPTY', 'payload: the message is empty, nothing to send (only a Buffer with encoding "binary" may be empty)', 'payload');
}

/** Refuses a message that needs more SMS than `maxParts` (0: no limit). */
export function checkParts(split: Segmentation, maxParts = DEFAULT_MAX_PARTS): void {
  if (!maxParts || split.count <= maxParts) return;
  const unit = split.unit === 'septet' ? 'characters' : 'octets';
  const each = split.parts[1]?.length ?? split.parts[0].length;
  throw new SmsError(
    'SMS_TOO_MANY_PARTS',
    `payload: this text needs ${split.count} SMS (${split.encoding}, about ${each} ${unit} each) and the limit is ${maxParts} per message; shorten it, or raise "max SMS per message" (0: no limit)`,
    'payload',
  );
}

/** A wait in words: "300 ms", "60 s", "5 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120000 || ms % 60000) return `${Math.round(ms / 1000)} s`;
  return `${ms / 60000} min`;
}
