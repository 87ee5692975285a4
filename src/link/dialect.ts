/**
 * What a binary SMS protocol tells the link engine: how to cut, read and
 * write its frames, how to log in, how to keep an idle link alive and how to
 * end it. CMPP is one dialect; the link and the account know no protocol.
 */
import type { Protocol } from '../codes';
import { SmsError } from '../errors';
import { Body } from '../wire/fields';

export interface Pdu {
  command: string;
  sequenceId: number;
  body: Body;
}

export interface Framing {
  push(chunk: Buffer): Buffer[];
  /** octets of a frame begun and not yet complete */
  readonly pending: number;
  /** the length that incomplete frame announces */
  readonly announced: number;
}

/** How the peer answered the login. */
export type LoginOutcome = { ok: true; warning?: SmsError } | { ok: false; error: SmsError };

export interface Login {
  command: string;
  body: Body;
  /** the answer's command */
  answer: string;
  check: (answer: Pdu) => LoginOutcome;
}

export interface LinkDialect<P extends Pdu = Pdu> {
  /** names errors: CMPP_TIMEOUT, CMPP_PROTOCOL... */
  protocol: Protocol;
  framer(): Framing;
  decode(frame: Buffer): P;
  /** `status`: a response's status, where the protocol has one in its header (SMPP's command_status) */
  encode(command: string, sequenceId: number, body: Body, status?: number): Buffer;
  isResponse(pdu: P): boolean;
  /** what the header of a frame that does not decode still says: its sequence number, and whether it answers a request */
  header(frame: Buffer): { sequenceId: number; response: boolean };
  /** the highest sequence number before it wraps to 1 (SMPP 3.4 5.1.4: 0x7FFFFFFF) */
  maxSequence: number;
  /** the login request, made afresh for each connection (timestamps) */
  login(): Login;
  /** the idle test and its answer (ACTIVE_TEST, enquire_link) */
  keepAlive: { command: string; answer: string; answerBody: Body };
  /** the request that ends a session, and its answer */
  terminate: { command: string; answer: string };
}
