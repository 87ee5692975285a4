/**
 * Sending and receiving SMS over one CMPP session: text is split for CMPP,
 * sent to up to 99 numbers per SUBMIT, and answered with one result per part
 * and recipient; mobile-originated messages are joined; status reports are
 * matched to what was sent and combined per message.
 */
import { EventEmitter } from 'node:events';
import { isoNow, reportDate } from '../clock';
import { Waiter } from '../account/account';
import { CarriedOver as CarriedOverOf } from '../account/carry-over';
import { Dispatcher, Prepared } from '../account/dispatcher';
import { MessageInFlight } from '../account/in-flight';
import { SmsError } from '../errors';
import { checkParts, refuseEmpty } from '../limits';
import { parseRecipients } from '../recipients';
import { DeliveryReport, ExpectReport, ReportTracker } from '../tracking/reports';
import { PartResult, SendResult as BaseSendResult } from '../results';
import { Encoding } from '../text/codecs';
import { ReassembledMessage, Reassembler, ReassemblerOptions } from '../tracking/reassembly';
import { ReferenceAllocator } from '../text/references';
import { segment } from '../text/segmenter';
import { parseUdh } from '../text/udh';
import { bodyOf, DeliverBody } from './bodies';
import { CmppPdu, decodeReport } from './codec';
import { decodeContent, formatEncoding } from './content';
import { Body } from './fields';
import { V3 } from './messages';
import { msgIdPlus } from './msgid';
import { CmppSession, SessionOptions, SessionState } from './session';
import { describeSubmitResult, reportStatus } from './status';

export { parseRecipients };

export interface CmppClientOptions extends SessionOptions {
  /** Src_Id: the SP's service number the phone shows as sender */
  srcId?: string;
  serviceId?: string;
  /** Msg_src (default: the SP_Id) */
  msgSrc?: string;
  feeUserType?: number;
  feeType?: string;
  feeCode?: string;
  /** numbers per SUBMIT; the document allows fewer than 100 (default 99) */
  recipientsPerSubmit?: number;
  referenceBits?: 8 | 16;
  reports?: { ttlMs?: number; maxPending?: number; earlyHoldMs?: number };
  reassembly?: ReassemblerOptions;
}

export interface CmppSendRequest {
  to: string | string[];
  payload: string | Buffer;
  encoding?: Encoding | 'auto';
  /** ask for a status report (default false) */
  registeredDelivery?: boolean;
  srcId?: string;
  serviceId?: string;
  linkId?: string;
  msgLevel?: number;
  /** comes back on the delivery report (its JSON-safe part survives a restart) */
  correlation?: unknown;
  /** SMS this message may cost at most (default 10; 0: no limit) */
  maxParts?: number;
  /** who sent it (a node id): a message carried over a restart goes back there */
  origin?: string;
  /** a route sends it: while no part has left, withdrawUnsent() may take it back */
  handOver?: boolean;
}

/** What one SUBMIT's answer needs, kept with it in the outbox. */
interface SubmitMeta {
  chunk: string[];
  part: number;
  total: number;
  registered: boolean;
  /** the message's key: report groups are `${group}:${to}` */
  group: string;
  submittedAt: string;
}

/** A message that outlived the process that accepted it, and its outcome. */
export type CarriedOver = CarriedOverOf<'cmpp'>;

export type SendResult = BaseSendResult<'cmpp'>;

export interface IncomingSms {
  /** text, or a Buffer for binary content */
  payload: string | Buffer;
  from: string;
  to: string;
  sms: {
    channel: 'cmpp';
    encoding: Encoding;
    parts: number;
    incomplete: boolean;
    receivedAt: string;
    serviceId: string;
    linkId: string;
    /** the DELIVER bodies as received */
    raw: DeliverBody[];
  };
}

export declare interface CmppClient {
  on(event: 'state', listener: (state: SessionState, detail?: Error) => void): this;
  on(event: 'message', listener: (sms: IncomingSms) => void): this;
  on(event: 'report', listener: (report: DeliveryReport) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'carried', listener: (carried: CarriedOver) => void): this;
}

interface MoMeta {
  body: DeliverBody;
  receivedAt: string;
}

export class CmppClient extends EventEmitter {
  readonly session: CmppSession;
  private readonly options: CmppClientOptions;
  private readonly tracker: ReportTracker;
  /** expects a part's report; what a listener throws on the way is an 'error', never a lost outcome */
  private readonly expectReport: ExpectReport;
  private readonly reassembler: Reassembler<MoMeta>;
  private readonly references = new ReferenceAllocator();
  /** sends and parks its messages, and takes up what the store kept */
  private readonly dispatcher: Dispatcher<'cmpp', SubmitMeta, 'SUBMIT'>;
  /** marks a request that is not a message (a query): not carried over a restart */
  private readonly ownRequest: { message: string; meta: null };

  constructor(options: CmppClientOptions) {
    super();
    this.options = options;
    this.session = new CmppSession(options);
    this.tracker = new ReportTracker({ channel: 'cmpp', store: this.session.store.reports, ...options.reports });
    this.expectReport = (id, expectation) => {
      try {
        this.tracker.expect(id, expectation);
      } catch (err) {
        this.emit('error', err);
      }
    };
    this.reassembler = new Reassembler<MoMeta>({ store: this.session.store.partials, ...options.reassembly });
    const waiter = (meta: SubmitMeta, message: MessageInFlight): SubmitWaiter => new SubmitWaiter(meta, message, this.expectReport);
    this.dispatcher = new Dispatcher<'cmpp', SubmitMeta, 'SUBMIT'>(this.session, 'cmpp', 'SUBMIT', waiter, (carried) => this.emit('carried', carried));
    this.ownRequest = { message: `${this.dispatcher.instance}-query`, meta: null };
    this.session.on('state', (state, detail) => this.emit('state', state, detail));
    this.session.on('queue', (depth) => this.emit('queue', depth));
    this.session.on('error', (err) => this.emit('error', err));
    this.session.on('deliver', (body, ack) => this.onDeliver(body, ack));
    this.tracker.on('report', (report) => this.emit('report', report));
    this.tracker.on('error', (err) => this.emit('error', err));
    this.reassembler.on('message', (m) => this.emit('message', this.toIncoming(m)));
  }

  get state(): SessionState {
    return this.session.state;
  }

  /** Takes up what the store kept (see recover()) and opens the session. */
  start(): Promise<void> {
    void this.recover(); // never rejects: a failure is an 'error' event
    return this.session.start();
  }

  /** Since start(): resolves once what the store kept is taken up (with how many messages it carried over); messages sent meanwhile wait for it, then follow */
  get recovery(): Promise<number> {
    return this.dispatcher.recovery;
  }

  async close(): Promise<void> {
    // What was sent while the store was read joins the outbox first, to be kept for the next start.
    await this.dispatcher.recovery;
    await this.session.close();
    this.tracker.close();
    // A durable store keeps the parts that arrived for the next start; memory hands them on as they are.
    if (this.session.store.kind === 'memory') this.reassembler.flush();
    else this.reassembler.stop();
  }

  /** delivery reports awaited */
  get pendingReports(): number {
    return this.tracker.pending;
  }

  /** logged in and its store writable: a message given now leaves at once */
  get canSend(): boolean {
    return this.session.state === 'connected' && !this.session.store.failure;
  }

  /** Fails (CMPP_NOT_CONNECTED) the messages sent with `handOver` whose parts all still wait unsent; returns how many. */
  withdrawUnsent(): number {
    return this.dispatcher.handOvers.withdraw(this.session, 'CMPP');
  }

  send(request: CmppSendRequest): Promise<SendResult> {
    return this.dispatcher.send(() => this.prepare(request), request.handOver);
  }

  /** A new message should be parked (see park()): the queue in memory is full, or parked ones wait ahead of it. */
  get parking(): boolean {
    return this.dispatcher.parking;
  }

  /**
   * Queues a message in the store alone (a store that can park: SQLite, Redis):
   * nothing of it stays in memory, and its outcome comes as a 'carried'
   * event to its origin, as a message kept across a restart does. Resolves
   * with its key once the store has committed it; refuses what send() refuses.
   */
  park(request: CmppSendRequest): Promise<string> {
    return this.dispatcher.park(() => this.prepare(request));
  }

  /** Throws what is wrong with the request; otherwise the message and every SUBMIT it takes, with what each one's answer needs. */
  private prepare(request: CmppSendRequest): Prepared<'cmpp', SubmitMeta> {
    const version = this.session.options.version;
    const recipients = parseRecipients(request.to, version === V3 ? 32 : 21);
    refuseEmpty(request.payload, request.encoding);
    const split = segment(request.payload, {
      target: 'cmpp',
      encoding: request.encoding ?? 'auto',
      referenceBits: this.options.referenceBits ?? 8,
      to: recipients[0],
      allocator: this.references,
    });
    checkParts(split, request.maxParts);
    const perSubmit = Math.min(99, Math.max(1, this.options.recipientsPerSubmit ?? 99));
    const chunks: string[][] = [];
    for (let i = 0; i < recipients.length; i += perSubmit) chunks.push(recipients.length <= perSubmit ? recipients : recipients.slice(i, i + perSubmit));
    const key = this.dispatcher.nextKey();
    const submittedAt = isoNow();
    const registered = request.registeredDelivery === true;
    const outgoing = {
      channel: 'cmpp' as const,
      key,
      to: recipients,
      encoding: split.encoding,
      parts: split.count,
      expected: chunks.length * split.count,
      correlation: request.correlation,
      origin: request.origin,
    };
    const requests: Array<[Body, SubmitMeta]> = [];
    for (const chunk of chunks) {
      for (const part of split.parts) {
        const body: Body = {
          msgId: '0',
          pkTotal: part.total,
          pkNumber: part.number,
          registeredDelivery: registered ? 1 : 0,
          msgLevel: request.msgLevel ?? 0,
          serviceId: request.serviceId ?? this.options.serviceId ?? '',
          feeUserType: this.options.feeUserType ?? 2,
          feeTerminalId: '',
          feeTerminalType: 0,
          tpPid: 0,
          tpUdhi: part.udh.length ? 1 : 0,
          msgFmt: split.code,
          msgSrc: this.options.msgSrc ?? this.options.spId,
          feeType: this.options.feeType ?? '01',
          feeCode: this.options.feeCode ?? '000000',
          validTime: '',
          atTime: '',
          srcId: request.srcId ?? this.options.srcId ?? '',
          destUsrTl: chunk.length,
          destTerminalId: chunk,
          destTerminalType: 0,
          msgLength: part.userData.length,
          msgContent: part.userData,
          linkId: request.linkId ?? '',
        };
        requests.push([body, { chunk, part: part.number, total: part.total, registered, group: key, submittedAt }]);
      }
    }
    return { outgoing, requests };
  }

  /**
   * After a restart: takes up the report expectations and the messages the
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

  /** CMPP_QUERY: the gateway's counts for a day (YYYYMMDD), in total or for one Service_Id. */
  async query(time: string, serviceId?: string): Promise<Body> {
    const pdu = await this.session.request('QUERY', { time, queryType: serviceId ? 1 : 0, queryCode: serviceId ?? '', reserve: '' }, undefined, this.ownRequest);
    return pdu.body;
  }

  /** CMPP_CANCEL: asks the gateway to delete a submitted message; true when it did. */
  async cancel(msgId: string): Promise<boolean> {
    const pdu = await this.session.request('CANCEL', { msgId }, undefined, this.ownRequest);
    return bodyOf(pdu, 'CANCEL_RESP').successId === 0;
  }

  private onDeliver(body: DeliverBody, ack: (result?: number) => void): void {
    const content = body.msgContent;
    if (body.registeredDelivery === 1) {
      let report;
      try {
        report = decodeReport(content);
      } catch (err) {
        this.emit('error', err);
        ack(1);
        return;
      }
      const offset = this.session.options.utcOffsetMinutes;
      this.tracker.resolve(report.msgId, {
        status: reportStatus(report.stat),
        detail: report.stat,
        doneAt: reportDate(report.doneTime, offset),
        submittedAt: reportDate(report.submitTime, offset),
        to: report.destTerminalId,
      });
      ack(0);
      return;
    }
    const meta: MoMeta = { body, receivedAt: new Date().toISOString() };
    const from = body.srcTerminalId;
    let payload = content;
    let concat = { reference: 0, total: 1, sequence: 1 };
    if (body.tpUdhi === 1) {
      try {
        const { udh, length } = parseUdh(content);
        payload = content.subarray(length);
        if (udh.concat) concat = udh.concat;
      } catch (err) {
        this.emit('error', new SmsError('CMPP_MO_HEADER', `a message from ${from} has an unreadable header (${(err as Error).message}); handed on as it came`));
      }
    }
    const decoded = decodeContent(payload, body.msgFmt);
    this.reassembler.push({
      from,
      ...concat,
      text: typeof decoded === 'string' ? decoded : undefined,
      data: typeof decoded === 'string' ? undefined : decoded,
      meta,
    });
    ack(0);
  }

  private toIncoming(m: ReassembledMessage<MoMeta>): IncomingSms {
    const first = m.parts[0].meta as MoMeta;
    return {
      payload: m.text ?? m.data ?? Buffer.alloc(0),
      from: m.from,
      to: String(first.body.destId),
      sms: {
        channel: 'cmpp',
        encoding: formatEncoding(Number(first.body.msgFmt)),
        parts: m.total,
        incomplete: m.incomplete,
        receivedAt: first.receivedAt,
        serviceId: String(first.body.serviceId),
        linkId: String(first.body.linkId ?? ''),
        raw: m.parts.map((p) => (p.meta as MoMeta).body),
      },
    };
  }
}

/**
 * Who waits for one SUBMIT: its outcome as a result per recipient, for the
 * message. The answer is read, and its reports expected, before any frame
 * after it: a report in the same TCP read as its SUBMIT_RESP is matched.
 */
class SubmitWaiter implements Waiter<CmppPdu> {
  constructor(
    private readonly meta: SubmitMeta,
    private readonly message: MessageInFlight,
    private readonly expect: ExpectReport,
  ) {}

  answered(pdu: CmppPdu): void {
    const { chunk, part, total, registered, group, submittedAt } = this.meta;
    let results: PartResult[];
    try {
      const { result, msgId } = bodyOf(pdu, 'SUBMIT_RESP');
      results = chunk.map((to, k) => {
        const id = result === 0 ? msgIdPlus(msgId, k) : '';
        if (result === 0 && registered) {
          this.expect(id, { group: `${group}:${to}`, to, part, total, submittedAt, correlation: this.message.record.correlation });
        }
        return { to, part, ok: result === 0, id, code: result, description: describeSubmitResult(result) };
      });
    } catch (err) {
      this.failed(err as SmsError); // the gateway answered the SUBMIT with something else
      return;
    }
    this.message.partDone(results);
  }

  failed(err: SmsError): void {
    const { chunk, part } = this.meta;
    this.message.partDone(chunk.map((to) => ({ to, part, ok: false, id: '', code: err.code ?? 'CMPP_ERROR', description: err.message })));
  }
}
