/**
 * Sending and receiving SMS over one SMPP session: text is split for SMPP
 * (UDH by default, or the SAR parameters, or one message_payload), sent to
 * each number, and answered with one result per part and recipient; incoming
 * messages are joined; delivery receipts are matched to what was sent and
 * combined per message.
 */
import { textOf } from '../text-of';
import { EventEmitter } from 'node:events';
import { isoNow, reportDate } from '../clock';
import { Waiter } from '../account/account';
import { CarriedOver as CarriedOverOf } from '../account/carry-over';
import { Dispatcher, Prepared } from '../account/dispatcher';
import { MessageInFlight } from '../account/in-flight';
import { SmsError } from '../errors';
import { checkParts, refuseEmpty } from '../limits';
import { parseRecipients } from '../recipients';
import { SendResult as BaseSendResult } from '../results';
import { codecFor, Encoding } from '../text/codecs';
import { ReferenceAllocator } from '../text/references';
import { segment, Segmentation } from '../text/segmenter';
import { parseUdh } from '../text/udh';
import { Reassembler, ReassemblerOptions } from '../tracking/reassembly';
import { DeliveryReport, ExpectReport, ReportTracker } from '../tracking/reports';
import { Body, TlvValues } from '../wire/fields';
import { SmppPdu } from './codec';
import { idForms, parseReceipt } from './receipt';
import { SmppSession, SmppSessionOptions, SessionState } from './session';
import { describeStatus } from './status';

/** How a message longer than one SMS is carried. */
export type LongMessageMode = 'udh' | 'sar' | 'payload';

export interface SmppClientOptions extends SmppSessionOptions {
  /** source_addr: the number or name the phone shows as sender */
  sourceAddr?: string;
  /** source_addr_ton / _npi (default: 5/0 for a name, 1/1 for a number) */
  sourceTon?: number;
  sourceNpi?: number;
  /** dest_addr_ton / _npi (default 1/1: international, ISDN) */
  destTon?: number;
  destNpi?: number;
  serviceType?: string;
  longMessages?: LongMessageMode;
  referenceBits?: 8 | 16;
  /** data_coding 0 on incoming messages: GSM 7-bit (default) or Latin-1, as the SMSC uses it */
  defaultAlphabet?: 'gsm7' | 'latin1';
  /** the SMSC's clock for receipt dates (minutes from UTC, default 0) */
  receiptUtcOffsetMinutes?: number;
  reports?: { ttlMs?: number; maxPending?: number; earlyHoldMs?: number };
  reassembly?: ReassemblerOptions;
}

export interface SmppSendRequest {
  to: string | string[];
  payload: string | Buffer;
  encoding?: Encoding | 'auto';
  registeredDelivery?: boolean;
  from?: string;
  correlation?: unknown;
  maxParts?: number;
  origin?: string;
  /** a route sends it: while no part has left, withdrawUnsent() may take it back */
  handOver?: boolean;
}

export type SendResult = BaseSendResult<'smpp'>;

export interface IncomingSms {
  payload: string | Buffer;
  from: string;
  to: string;
  sms: { channel: 'smpp'; dataCoding: number; parts: number; incomplete: boolean; receivedAt: string };
}

/** A message that outlived the process that accepted it, and its outcome. */
export type CarriedOver = CarriedOverOf<'smpp'>;

export declare interface SmppClient {
  /** the outcome of a message accepted before a restart (a durable store) */
  on(event: 'carried', listener: (carried: CarriedOver) => void): this;
  on(event: 'state', listener: (state: SessionState, detail?: Error) => void): this;
  on(event: 'message', listener: (sms: IncomingSms) => void): this;
  on(event: 'report', listener: (report: DeliveryReport) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/** a sender made of digits is a number (TON 1); anything else a name (TON 5) */
const SENDER_NUMBER = /^\+?\d+$/;
/** esm_class bits: the message type (receipt 0x04) and UDHI */
const ESM_RECEIPT = 0x04;
const ESM_UDHI = 0x40;

/** data_coding of incoming messages to the text codec (binary: none) */
function incomingEncoding(dataCoding: number, defaultAlphabet: 'gsm7' | 'latin1'): Encoding | undefined {
  switch (dataCoding) {
    case 0:
      return defaultAlphabet;
    case 1:
      return 'ascii';
    case 3:
      return 'latin1';
    case 8:
      return 'ucs2';
    default:
      return (dataCoding & 0xf0) === 0xf0 ? (dataCoding & 0x04 ? undefined : 'gsm7') : undefined;
  }
}

interface SubmitMeta {
  to: string;
  part: number;
  total: number;
  registered: boolean;
  group: string;
  submittedAt: string;
}

export class SmppClient extends EventEmitter {
  readonly session: SmppSession;
  private readonly options: SmppClientOptions;
  private readonly tracker: ReportTracker;
  /** expects a part's report; what a listener throws on the way is an 'error', never a lost outcome */
  private readonly expectReport: ExpectReport;
  private readonly reassembler: Reassembler<{ receivedAt: string; to: string; dataCoding: number }>;
  private readonly references = new ReferenceAllocator();
  /** sends and parks its messages, and takes up what the store kept */
  private readonly dispatcher: Dispatcher<'smpp', SubmitMeta, 'submit_sm'>;

  constructor(options: SmppClientOptions) {
    super();
    this.options = options;
    this.session = new SmppSession(options);
    this.tracker = new ReportTracker({ channel: 'smpp', store: this.session.store.reports, ...options.reports });
    this.expectReport = (id, expectation) => {
      try {
        this.tracker.expect(id, expectation);
      } catch (err) {
        this.emit('error', err);
      }
    };
    this.reassembler = new Reassembler({ store: this.session.store.partials, ...options.reassembly });
    const waiter = (meta: SubmitMeta, message: MessageInFlight): SubmitWaiter => new SubmitWaiter(meta, message, this.expectReport);
    this.dispatcher = new Dispatcher<'smpp', SubmitMeta, 'submit_sm'>(this.session, 'smpp', 'submit_sm', waiter, (carried) => this.emit('carried', carried));
    this.session.on('state', (state, detail) => this.emit('state', state, detail));
    this.session.on('queue', (depth) => this.emit('queue', depth));
    this.session.on('error', (err) => this.emit('error', err));
    this.session.on('deliver', (pdu, ack) => this.onDeliver(pdu, ack));
    this.tracker.on('report', (report) => this.emit('report', report));
    this.tracker.on('error', (err) => this.emit('error', err));
    this.reassembler.on('message', (m) => {
      const meta = m.parts[0].meta as { receivedAt: string; to: string; dataCoding: number };
      this.emit('message', {
        payload: m.text ?? m.data ?? Buffer.alloc(0),
        from: m.from,
        to: meta.to,
        sms: { channel: 'smpp', dataCoding: meta.dataCoding, parts: m.total, incomplete: m.incomplete, receivedAt: meta.receivedAt },
      } satisfies IncomingSms);
    });
  }

  get state(): SessionState {
    return this.session.state;
  }

  get pendingReports(): number {
    return this.tracker.pending;
  }

  /** logged in and its store writable: a message given now leaves at once */
  get canSend(): boolean {
    return this.session.state === 'connected' && !this.session.store.failure;
  }

  /** Fails (SMPP_NOT_CONNECTED) the messages sent with `handOver` whose parts all still wait unsent; returns how many. */
  withdrawUnsent(): number {
    return this.dispatcher.handOvers.withdraw(this.session, 'SMPP');
  }

  /** Takes up what the store kept (see recover()) and binds. */
  start(): Promise<void> {
    void this.recover(); // never rejects: a failure is an 'error' event
    return this.session.start();
  }

  /** Since start(): resolves once what the store kept is taken up (with how many messages it carried over); messages sent meanwhile wait for it, then follow */
  get recovery(): Promise<number> {
    return this.dispatcher.recovery;
  }

  /**
   * After a restart: takes up the receipts awaited and the messages the
   * store kept, sends again what had not been answered (or, at-most-once,
   * marks it uncertain), and gives each message its outcome as a 'carried'
   * event. Resolves with how many messages were carried over (0 when the
   * store could not be read: an 'error' says why).
   */
  recover(): Promise<number> {
    const restore = async (): Promise<void> => {
      await this.tracker.restore();
      this.reassembler.restore(await this.session.store.partials.load());
    };
    return this.dispatcher.recover(restore, (err) => this.emit('error', err));
  }

  async close(): Promise<void> {
    // What was sent while the store was read joins the outbox first, to be kept for the next start.
    await this.dispatcher.recovery;
    await this.session.close();
    this.tracker.close();
    if (this.session.store.kind === 'memory') this.reassembler.flush();
    else this.reassembler.stop();
  }

  send(request: SmppSendRequest): Promise<SendResult> {
    return this.dispatcher.send(() => this.prepare(request), request.handOver);
  }

  /** A new message should be parked (see park()): the queue in memory is full, or parked ones wait ahead of it. */
  get parking(): boolean {
    return this.dispatcher.parking;
  }

  /** Queues a message in the store alone (see CmppClient.park): its outcome comes as a 'carried' event; resolves with its key once committed. */
  park(request: SmppSendRequest): Promise<string> {
    return this.dispatcher.park(() => this.prepare(request));
  }

  /** Throws what is wrong with the request; otherwise the message and every submit_sm it takes, with what each one's answer needs. */
  private prepare(request: SmppSendRequest): Prepared<'smpp', SubmitMeta> {
    const recipients = parseRecipients(request.to, 20, false); // destination_addr holds 20 characters, the + left out
    refuseEmpty(request.payload, request.encoding);
    const mode = this.options.longMessages ?? 'udh';
    const split = segment(request.payload, {
      target: 'smpp',
      encoding: request.encoding ?? 'auto',
      referenceBits: this.options.referenceBits ?? 8,
      to: recipients[0],
      allocator: this.references,
    });
    if (mode !== 'payload') checkParts(split, request.maxParts);
    const key = this.dispatcher.nextKey();
    const registered = request.registeredDelivery === true;
    const submittedAt = isoNow();
    const parts = mode === 'payload' ? 1 : split.count;
    const outgoing = { channel: 'smpp' as const, key, to: recipients, encoding: split.encoding, parts, expected: recipients.length * parts, correlation: request.correlation, origin: request.origin };
    const requests: Array<[Body, SubmitMeta]> = [];
    for (const to of recipients) {
      for (const { part, body } of this.bodies(split, mode, to, request, registered)) requests.push([body, { to, part, total: parts, registered, group: key, submittedAt }]);
    }
    return { outgoing, requests };
  }

  /** The submit_sm bodies of one message to one number, each with its part number. */
  private bodies(split: Segmentation, mode: LongMessageMode, to: string, request: SmppSendRequest, registered: boolean): Array<{ part: number; body: Body }> {
    const o = this.options;
    const from = request.from ?? o.sourceAddr ?? '';
    const named = from !== '' && !SENDER_NUMBER.test(from);
    // One literal per body: a spread would build each as a slow dictionary object.
    const body = (esmClass: number, shortMessage: Buffer, tlvs?: TlvValues): Body => ({
      serviceType: o.serviceType ?? '',
      sourceAddrTon: o.sourceTon ?? (named ? 5 : 1),
      sourceAddrNpi: o.sourceNpi ?? (named ? 0 : 1),
      sourceAddr: from.replace(/^\+/, ''),
      destAddrTon: o.destTon ?? 1,
      destAddrNpi: o.destNpi ?? 1,
      destinationAddr: to.replace(/^\+/, ''),
      esmClass,
      protocolId: 0,
      priorityFlag: 0,
      scheduleDeliveryTime: '',
      validityPeriod: '',
      registeredDelivery: registered ? 1 : 0,
      replaceIfPresentFlag: 0,
      dataCoding: split.code,
      smDefaultMsgId: 0,
      smLength: shortMessage.length,
      shortMessage,
      tlvs: tlvs ?? {},
    });
    if (mode === 'payload' && split.count > 1) {
      // The whole text in one message_payload; the SMSC splits it for the phone.
      return [{ part: 1, body: body(0, Buffer.alloc(0), { messagePayload: Buffer.concat(split.parts.map((p) => p.payload)) }) }];
    }
    return split.parts.map((part) => {
      if (mode === 'sar' && split.count > 1) {
        return { part: part.number, body: body(0, part.payload, { sarMsgRefNum: split.reference ?? 0, sarTotalSegments: part.total, sarSegmentSeqnum: part.number }) };
      }
      return { part: part.number, body: body(part.udh.length ? ESM_UDHI : 0, part.userData) };
    });
  }

  private onDeliver(pdu: SmppPdu, ack: (status?: number) => void): void {
    const body = pdu.body;
    const tlvs = (body.tlvs ?? {}) as TlvValues;
    const esmClass = Number(body.esmClass ?? 0);
    const content = (tlvs.messagePayload as Buffer | undefined) ?? (body.shortMessage as Buffer | undefined) ?? Buffer.alloc(0);
    if ((esmClass & 0x3c) === ESM_RECEIPT) {
      const receipt = parseReceipt(content.toString('latin1'), tlvs);
      if (!receipt) {
        this.emit('error', new SmsError('SMPP_BAD_DELIVER', `a delivery receipt from the SMSC carries no message id ("${content.toString('latin1').slice(0, 80)}"); acknowledged and dropped`));
        ack();
        return;
      }
      const forms = idForms(receipt.id);
      // The same receipt again (our deliver_sm_resp was lost): answered, not reported twice.
      const seen = `receipt:${forms[0]}:${receipt.stat}`;
      const dedup = this.session.store.dedup;
      if (dedup.get(seen) !== undefined) {
        ack();
        return;
      }
      dedup.set(seen, 0);
      const key = forms.find((f) => this.tracker.expects(f)) ?? forms[0];
      const offset = this.options.receiptUtcOffsetMinutes ?? 0;
      this.tracker.resolve(key, {
        status: receipt.status,
        detail: receipt.err && receipt.err !== '000' ? `${receipt.stat} err:${receipt.err}` : receipt.stat,
        doneAt: reportDate(receipt.doneDate, offset),
        submittedAt: reportDate(receipt.submitDate, offset),
        to: textOf(body.sourceAddr),
      });
      ack();
      return;
    }
    const from = textOf(body.sourceAddr);
    let payload = content;
    let concat = { reference: 0, total: 1, sequence: 1 };
    if (esmClass & ESM_UDHI) {
      try {
        const { udh, length } = parseUdh(content);
        payload = content.subarray(length);
        if (udh.concat) concat = udh.concat;
      } catch (err) {
        this.emit('error', new SmsError('SMPP_MO_HEADER', `a message from ${from} has an unreadable header (${(err as Error).message}); handed on as it came`));
      }
    } else if (tlvs.sarMsgRefNum !== undefined && tlvs.sarTotalSegments !== undefined && tlvs.sarSegmentSeqnum !== undefined) {
      concat = { reference: Number(tlvs.sarMsgRefNum), total: Number(tlvs.sarTotalSegments), sequence: Number(tlvs.sarSegmentSeqnum) };
    }
    const dataCoding = Number(body.dataCoding ?? 0);
    const encoding = incomingEncoding(dataCoding, this.options.defaultAlphabet ?? 'gsm7');
    const text = encoding ? codecFor(encoding).decode(encoding === 'gsm7' ? Buffer.from(payload.map((b) => b & 0x7f)) : payload) : undefined;
    this.reassembler.push({
      from,
      ...concat,
      text,
      data: text === undefined ? Buffer.from(payload) : undefined,
      meta: { receivedAt: new Date().toISOString(), to: textOf(body.destinationAddr), dataCoding },
    });
    ack();
  }
}

/** Who waits for one submit_sm: its outcome as a part result; its receipt is expected before any PDU after the answer is read. */
class SubmitWaiter implements Waiter<SmppPdu> {
  constructor(
    private readonly meta: SubmitMeta,
    private readonly message: MessageInFlight,
    private readonly expect: ExpectReport,
  ) {}

  answered(pdu: SmppPdu): void {
    const { to, part, total, registered, group, submittedAt } = this.meta;
    const ok = pdu.command === 'submit_sm_resp' && pdu.status === 0;
    const id = ok ? textOf(pdu.body.messageId) : '';
    if (ok && registered && id) {
      this.expect(idForms(id)[0], { group: `${group}:${to}`, to, part, total, submittedAt, correlation: this.message.record.correlation, carrierId: id });
    }
    this.message.partDone([
      {
        to,
        part,
        ok,
        id,
        code: pdu.status,
        description: pdu.command === 'generic_nack' ? `the SMSC could not read the submit_sm: ${describeStatus(pdu.status)}` : describeStatus(pdu.status),
      },
    ]);
  }

  failed(err: SmsError): void {
    const { to, part } = this.meta;
    this.message.partDone([{ to, part, ok: false, id: '', code: err.code ?? 'SMPP_ERROR', description: err.message }]);
  }
}
