/**
 * The shapes every channel shares: one send result, with one entry per
 * recipient and part, whatever carried it.
 */
import type { ErrorCode } from './codes';
import { Encoding } from './text/codecs';

export interface PartResult {
  to: string;
  /** 1-based */
  part: number;
  ok: boolean;
  /** the carrier's id: CMPP Msg_Id (decimal text), IMSP messageid, modem TP-MR */
  id: string;
  /** the carrier's result code, or this package's error code (CMPP_TIMEOUT, IMSP_HTTP, CMS_330...) */
  code: number | ErrorCode;
  description: string;
}

export interface SendResult<C extends string = string, P extends PartResult = PartResult> {
  channel: C;
  /** true when every part reached every recipient's carrier */
  ok: boolean;
  to: string[];
  encoding: Encoding;
  /** SMS per recipient */
  parts: number;
  results: P[];
  /** the message was accepted before a restart and its outcome given after it */
  carriedOver?: boolean;
}

/** Results in the order of the recipients, then of the parts. */
export function inOrder<P extends PartResult>(results: P[], recipients: string[]): P[] {
  return results.sort((a, b) => recipients.indexOf(a.to) - recipients.indexOf(b.to) || a.part - b.part);
}
