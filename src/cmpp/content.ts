/**
 * Msg_Content in the format Msg_Fmt names: 0 ASCII, 8 UCS-2, 15 GBK give
 * text; 4 (binary), 3 (SIM write) and anything unknown give the bytes.
 */
import { codecFor, Encoding } from '../text/codecs';

const FORMATS: Record<number, Encoding> = { 0: 'ascii', 8: 'ucs2', 15: 'gbk' };

export function formatEncoding(msgFmt: number): Encoding {
  return FORMATS[msgFmt] ?? 'binary';
}

export function decodeContent(content: Buffer, msgFmt: number): string | Buffer {
  const encoding = FORMATS[msgFmt];
  return encoding ? codecFor(encoding).decode(content) : Buffer.from(content);
}
