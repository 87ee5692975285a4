/**
 * An SMPP session with an SMSC: the carrier account (its outbox, rate and
 * throttling pause) over one or more links that speak the SMPP dialect
 * (bind, window, resend after T with N tries, enquire_link, unbind,
 * reconnection). What is SMPP's own stays here: deliver_sm and data_sm
 * answered, generic_nack for what cannot be read, and a request the SMSC
 * makes that an ESME does not serve answered as the specification asks.
 */
import { Account, OutboxRecord } from '../account/account';
import { ACCOUNT_DEFAULTS, AccountSession, retryOptions } from '../account/session';
import { withDefaults } from '../defaults';
import { SmsError } from '../errors';
import { Delivery, Link, LinkState, RetryError } from '../link/link';
import { MemoryStore } from '../store/memory';
import { Store } from '../store/store';
import { encode, HEADER_LENGTH, isResponseId, SmppPdu } from './codec';
import { BindMode, INTERFACE_VERSION, smppDialect } from './dialect';
import { Command, COMMANDS } from './messages';
import { ESME_RINVBNDSTS, ESME_RINVCMDID, ESME_RINVCMDLEN, ESME_RSYSERR } from './status';

export { Delivery, RetryError };

export interface SmppSessionOptions {
  host: string;
  port: number;
  /** SMPP over TLS, with these options (ca for a private CA, servername...); off by default */
  tls?: import('node:tls').ConnectionOptions;
  systemId: string;
  password: string;
  systemType?: string;
  /** transceiver (default): one bind sends and receives; transmitter-receiver: a bind of each per link */
  bindMode?: 'transceiver' | 'transmitter-receiver' | 'transmitter';
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
  /** unanswered requests at most per link (default 10) */
  window?: number;
  /** a request unanswered this long is sent again (default 30 s) */
  responseTimeoutMs?: number;
  /** tries in all, and unanswered enquire_links before the link is dropped (default 3) */
  maxTries?: number;
  /** an idle link is tested with enquire_link this often (default 30 s) */
  enquireLinkIntervalMs?: number;
  connectTimeoutMs?: number;
  reconnect?: { initialMs?: number; maxMs?: number } | false;
  /** submit_sm per second at most; 0 = no limit */
  ratePerSecond?: number;
  maxQueue?: number;
  /** requests waiting in memory at most (default 10000); past it, a message given to park() waits in the store alone (SQLite, Redis) */
  queueInMemory?: number;
  queueTimeoutMs?: number;
  failWhenDown?: boolean;
  delivery?: Delivery;
  /** a refused bind is tried again after this long (default 5 min) */
  loginRetryMs?: number;
  maxWriteBufferBytes?: number;
  /** ESME_RTHROTTLED / ESME_RMSGQFUL: waits between retries and how many retries */
  flowControl?: { initialMs?: number; maxMs?: number; retries?: number };
  store?: Store;
  /** links to open (default 1); with transmitter-receiver, that many of each */
  links?: number;
  ratePerLink?: number;
  trace?: (line: string) => void;
  now?: () => number;
}

export type SessionState = LinkState;

/** Answers a deliver_sm or data_sm: ESME_ROK (default) or an error status. */
export type DeliverAck = (status?: number) => void;

export declare interface SmppSession {
  on(event: 'state', listener: (state: SessionState, detail?: Error) => void): this;
  /** a deliver_sm or data_sm from the SMSC: an incoming message or a delivery receipt */
  on(event: 'deliver', listener: (pdu: SmppPdu, ack: DeliverAck) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
}

type SmppLink = Link<OutboxRecord, SmppPdu>;

export class SmppSession extends AccountSession<SmppPdu, Command> {
  readonly options: Required<Omit<SmppSessionOptions, 'reconnect' | 'flowControl' | 'store' | 'trace' | 'tls'>> &
    Pick<SmppSessionOptions, 'trace' | 'tls'> & {
      reconnect: { initialMs: number; maxMs: number } | false;
      flowControl: { initialMs: number; maxMs: number; retries: number };
    };
  readonly links: SmppLink[];
  readonly store: Store;

  constructor(options: SmppSessionOptions) {
    super();
    this.options = {
      ...withDefaults(
        {
          ...ACCOUNT_DEFAULTS,
          systemType: '',
          bindMode: 'transceiver',
          addrTon: 0,
          addrNpi: 0,
          addressRange: '',
          window: 10,
          responseTimeoutMs: 30000,
          enquireLinkIntervalMs: 30000,
        },
        options,
      ),
      ...retryOptions(options),
    };
    const o = this.options;
    this.store = options.store ?? new MemoryStore();
    const bind = { systemId: o.systemId, password: o.password, systemType: o.systemType, addrTon: o.addrTon, addrNpi: o.addrNpi, addressRange: o.addressRange };
    // Settings the bind cannot carry (a password over 8 characters) are said before any connection is tried.
    try {
      encode({ command: 'bind_transceiver', sequenceId: 1, body: { ...bind, interfaceVersion: INTERFACE_VERSION } });
    } catch (err) {
      const e = err as SmsError;
      throw new SmsError('SMS_FIELD', `${e.message} (SMPP 3.4's limit)`, e.field);
    }
    const modes: BindMode[] = o.bindMode === 'transmitter-receiver' ? ['transmitter', 'receiver'] : [o.bindMode];
    const count = Math.max(1, Math.floor(o.links));
    this.links = [];
    for (let i = 0; i < count; i++) {
      for (const mode of modes) {
        const link: SmppLink = new Link<OutboxRecord, SmppPdu>({ ...o, activeTestIntervalMs: o.enquireLinkIntervalMs, sends: mode !== 'receiver' }, smppDialect(bind, mode));
        link.undecodable = (frame, err) => this.undecodable(link, frame, err);
        link.on('request', (pdu) => this.onRequest(link, pdu));
        this.links.push(link);
      }
    }
    this.attach(new Account<SmppPdu>({ ...o, ratedCommand: 'submit_sm' }, this.links, smppDialect(bind, modes[0]), this.store.outbox));
  }

  private onRequest(link: SmppLink, pdu: SmppPdu): void {
    switch (pdu.command) {
      case 'deliver_sm':
      case 'data_sm': {
        const answer = pdu.command === 'deliver_sm' ? 'deliver_sm_resp' : 'data_sm_resp';
        let answered = false;
        const ack: DeliverAck = (status = 0) => {
          if (answered) return;
          answered = true;
          link.reply(answer, pdu.sequenceId, { messageId: '' }, status);
        };
        if (this.listenerCount('deliver') === 0) ack();
        else this.emit('deliver', pdu, ack);
        return;
      }
      case 'alert_notification':
        return; // no response is defined for it
      default:
        // A request an ESME does not serve (a bind, a submit from the SMSC): refused, never left unanswered.
        link.reply(Object.hasOwn(COMMANDS, `${pdu.command}_resp`) ? `${pdu.command}_resp` : 'generic_nack', pdu.sequenceId, {}, ESME_RINVBNDSTS);
        this.emit('error', new SmsError('SMPP_UNEXPECTED', `the SMSC sent ${pdu.command}, which an ESME does not serve; answered with ESME_RINVBNDSTS`));
    }
  }

  /**
   * A PDU that frames but does not decode: a request is answered with
   * generic_nack (ESME_RINVCMDID for an unknown command, else
   * ESME_RINVCMDLEN or ESME_RSYSERR) and the link goes on; a broken answer
   * to our own request drops the link.
   */
  private undecodable(link: SmppLink, frame: Buffer, err: SmsError): boolean {
    const commandId = frame.readUInt32BE(4);
    const sequenceId = frame.length >= HEADER_LENGTH ? frame.readUInt32BE(12) : 0;
    if (err.field === 'command_id') {
      if (!isResponseId(commandId)) link.reply('generic_nack', sequenceId, {}, ESME_RINVCMDID);
      this.emit('error', new SmsError('SMPP_UNKNOWN_COMMAND', `the SMSC sent command_id 0x${commandId.toString(16).padStart(8, '0')}, which is not SMPP 3.4; answered with generic_nack`));
      return true;
    }
    if (isResponseId(commandId)) return false;
    if (commandId === 0x00000005 || commandId === 0x00000103) {
      this.emit('error', new SmsError('SMPP_BAD_DELIVER', `the SMSC sent a message that could not be read (${err.message}); answered with generic_nack`));
    }
    link.reply('generic_nack', sequenceId, {}, err.field === 'command_length' ? ESME_RINVCMDLEN : ESME_RSYSERR);
    return true;
  }
}
