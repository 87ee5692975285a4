/**
 * A CMPP session with an ISMG: the carrier account (its outbox, rate and
 * flow-control pause) over a link that speaks the CMPP dialect (login,
 * window, resend after T with N tries, ACTIVE_TEST, reconnection). What is
 * CMPP's own stays here: DELIVERs answered and de-duplicated, DELIVERs that
 * cannot be read answered with the Result the document gives. Requests in
 * flight when the link dropped are sent again after the next login
 * (at-least-once) or end as uncertain (at-most-once): every request ends
 * with exactly one outcome.
 */
import { Account, OutboxRecord } from '../account/account';
import { ACCOUNT_DEFAULTS, AccountSession, retryOptions } from '../account/session';
import { withDefaults } from '../defaults';
import { SmsError } from '../errors';
import { Delivery, Link, LinkState, RetryError, uncertain as uncertainOf } from '../link/link';
import { MemoryStore } from '../store/memory';
import { DedupStore, Store } from '../store/store';
import { CHINA_UTC_OFFSET_MINUTES } from './auth';
import { CmppPdu, HEADER_LENGTH } from './codec';
import { bodyOf, DeliverBody } from './bodies';
import { cmppDialect } from './dialect';
import { Command, COMMANDS, Version, V3 } from './messages';

export { Delivery, RetryError };

export interface SessionOptions {
  host: string;
  port: number;
  /** SP_Id: the Source_Addr of CONNECT */
  spId: string;
  sharedSecret: string;
  version?: Version;
  /** W: unanswered requests at most (default 16) */
  window?: number;
  /** T: a request unanswered this long is sent again (default 60 s) */
  responseTimeoutMs?: number;
  /** N: tries in all before a request fails, and unanswered ACTIVE_TESTs before the link is dropped (default 3) */
  maxTries?: number;
  /** C: an idle link is tested this often (default 180 s) */
  activeTestIntervalMs?: number;
  connectTimeoutMs?: number;
  /** reconnection back-off: first wait and longest wait (default 1 s to 30 s); false: do not reconnect */
  reconnect?: { initialMs?: number; maxMs?: number } | false;
  /** UTC offset of the gateway's clock, for the authenticator timestamp (default +480: China) */
  utcOffsetMinutes?: number;
  /** submits per second at most; 0 = no limit. Over the rate, messages wait in the queue. */
  ratePerSecond?: number;
  /** requests waiting to be sent at most (default 10000); past it, send() fails at once */
  maxQueue?: number;
  /** requests waiting in memory at most (default 10000); past it, a message given to park() waits in the store alone (SQLite, Redis) */
  queueInMemory?: number;
  /** a request still unsent after this long fails (default 60 s); 0 = wait for ever */
  queueTimeoutMs?: number;
  /** while the link is down (after the first try to reach it), fail requests at once instead of queueing them */
  failWhenDown?: boolean;
  /**
   * at-least-once (default): what was in flight when the link dropped, or went
   * unanswered for T, is sent again (the phone may get it twice); at-most-once:
   * it ends with CMPP_UNCERTAIN and is never sent again.
   */
  delivery?: Delivery;
  /** a refused login is tried again after this long (default 5 min) */
  loginRetryMs?: number;
  /** accept a CONNECT_RESP whose AuthenticatorISMG does not match (some gateways fill it loosely); logged once */
  acceptLooseAuthenticator?: boolean;
  /** octets written but not yet sent at most (default 4 MiB); past it the link is dropped and opened again */
  maxWriteBufferBytes?: number;
  /** SUBMIT_RESP Result 8 (flow control): waits between retries and how many retries (default 0.5 s to 10 s, 20) */
  flowControl?: { initialMs?: number; maxMs?: number; retries?: number };
  /** where the outbox, the report expectations and the DELIVERs answered lately are kept (default: memory) */
  store?: Store;
  /** CMPP connections to open to the gateway (default 1); the account's sends spread over those up */
  links?: number;
  /** SUBMITs per second each link may carry (default 0: no limit); carriers cap each connection */
  ratePerLink?: number;
  /** gets one line per CMPP message in and out, secrets masked (for bringing up a link with a carrier) */
  trace?: (line: string) => void;
  /** for tests: the clock */
  now?: () => number;
}

export type SessionState = LinkState;

type DeliverAck = (result?: number) => void;

export declare interface CmppSession {
  on(event: 'state', listener: (state: SessionState, detail?: Error) => void): this;
  on(event: 'deliver', listener: (body: DeliverBody, ack: DeliverAck) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
}

export class CmppSession extends AccountSession<CmppPdu, Command> {
  readonly options: Required<Omit<SessionOptions, 'reconnect' | 'flowControl' | 'store' | 'trace'>> &
    Pick<SessionOptions, 'trace'> & {
      reconnect: { initialMs: number; maxMs: number } | false;
      flowControl: { initialMs: number; maxMs: number; retries: number };
    };
  readonly links: Array<Link<OutboxRecord, CmppPdu>>;
  readonly store: Store;
  /** DELIVER Msg_Ids answered lately, with the Result given: a DELIVER sent again gets the same answer */
  private readonly recentDelivers: DedupStore;

  constructor(options: SessionOptions) {
    super();
    this.options = {
      ...withDefaults(
        {
          ...ACCOUNT_DEFAULTS,
          version: V3,
          window: 16,
          responseTimeoutMs: 60000,
          activeTestIntervalMs: 180000,
          utcOffsetMinutes: CHINA_UTC_OFFSET_MINUTES,
          acceptLooseAuthenticator: false,
        },
        options,
      ),
      ...retryOptions(options),
    };
    const o = this.options;
    this.store = options.store ?? new MemoryStore();
    this.recentDelivers = this.store.dedup;
    const dialect = cmppDialect(o);
    this.links = Array.from({ length: Math.max(1, Math.floor(o.links)) }, () => {
      const link = new Link<OutboxRecord, CmppPdu>(o, dialect);
      link.undecodable = (frame, err) => this.undecodable(link, frame, err);
      link.on('request', (pdu) => this.onRequest(link, pdu));
      return link;
    });
    this.attach(new Account<CmppPdu>({ ...o, ratedCommand: 'SUBMIT' }, this.links, dialect, this.store.outbox));
  }

  private onRequest(link: Link<OutboxRecord, CmppPdu>, pdu: CmppPdu): void {
    if (pdu.command === 'DELIVER') {
      this.onDeliver(link, pdu);
      return;
    }
    // A request we do not serve (an SP is not a router): answer nothing, note it.
    this.emit('error', new SmsError('CMPP_UNEXPECTED', `the gateway sent CMPP_${pdu.command}, which an SP does not handle; ignored`));
  }

  /**
   * A well-framed message that does not decode. A DELIVER is answered with
   * DELIVER_RESP Result 4 (length) or 1 (structure), so that the gateway does
   * not send it again for ever; an unknown Command_Id is skipped. Returns
   * false when the link cannot go on (a broken answer to our own request).
   */
  private undecodable(link: Link<OutboxRecord, CmppPdu>, frame: Buffer, err: SmsError): boolean {
    const commandId = frame.readUInt32BE(4);
    if (err.field === 'Command_Id') {
      this.emit(
        'error',
        new SmsError('CMPP_UNKNOWN_COMMAND', `the gateway sent Command_Id 0x${commandId.toString(16).padStart(8, '0')}, which is not CMPP ${this.options.version === V3 ? '3.0' : '2.0'}; skipped`),
      );
      return true;
    }
    if (commandId !== COMMANDS.DELIVER) return false;
    const msgId = frame.length >= HEADER_LENGTH + 8 ? frame.readBigUInt64BE(HEADER_LENGTH).toString() : '0';
    const result = err.field === 'Msg_Content' || err.field === 'Total_Length' ? 4 : 1;
    if (this.recentDelivers.get(msgId) === undefined) {
      this.emit('error', new SmsError('CMPP_BAD_DELIVER', `the gateway sent a DELIVER (Msg_Id ${msgId}) that could not be read (${err.message}); answered with Result ${result} and dropped`));
    }
    this.answerDeliver(link, msgId, frame.readUInt32BE(8), result);
    return true;
  }

  private answerDeliver(link: Link<OutboxRecord, CmppPdu>, msgId: string, sequenceId: number, result: number): void {
    this.recentDelivers.set(msgId, result);
    link.reply('DELIVER_RESP', sequenceId, { msgId, result });
  }

  private onDeliver(link: Link<OutboxRecord, CmppPdu>, pdu: CmppPdu): void {
    const body = bodyOf(pdu, 'DELIVER');
    const msgId = body.msgId;
    const ack: DeliverAck = (result = 0) => this.answerDeliver(link, msgId, pdu.sequenceId, result);
    const earlier = this.recentDelivers.get(msgId);
    if (earlier !== undefined || this.listenerCount('deliver') === 0) {
      // Seen before: our answer was lost and the gateway sent it again. It gets the same answer.
      ack(earlier ?? 0);
      return;
    }
    let answered = false;
    this.emit('deliver', body, (result?: number) => {
      if (answered) return;
      answered = true;
      ack(result);
    });
  }
}

/** The outcome of a message the gateway may or may not have taken: it is not sent again. */
export function uncertain(why: string): SmsError {
  return uncertainOf('CMPP', why);
}
