/**
 * An SMPP 3.4 SMSC for tests and demos: a real TCP server. It checks binds
 * against its accounts, answers submit_sm (and the other requests an ESME
 * makes) at once, sends delivery receipts on a bind that receives, joins
 * long messages (UDH, SAR or message_payload) into the phones' inboxes, and
 * sends phones' messages to the ESME, long ones in parts. Faults on demand:
 * throttling, withheld answers, dropped links, malformed PDUs.
 */
import { textOf } from '../text-of';
import { EventEmitter } from 'node:events';
import { pushBounded } from '../bounded';
import { reportStamp } from './stamp';
import * as net from 'node:net';
import { codecFor } from '../text/codecs';
import { segment } from '../text/segmenter';
import { parseUdh } from '../text/udh';
import { Reassembler } from '../tracking/reassembly';
import { Body, TlvValues } from '../wire/fields';
import { decode, encodeFrame as encode, Framer, SmppPdu } from '../smpp/codec';
import { Command } from '../smpp/messages';
import { ESME_RINVBNDSTS, ESME_RINVDSTADR, ESME_RINVPASWD, ESME_RINVSYSID, ESME_RTHROTTLED } from '../smpp/status';

export interface SmscSimulatorOptions {
  host?: string;
  port?: number;
  /** system_id -> password */
  accounts?: Record<string, string>;
  /** receipts leave this long after the submit_sm_resp */
  reportDelayMs?: number;
  /** the receipt's stat for a destination (default DELIVRD) */
  reportStat?: (to: string) => string;
  /** message_id in submit_sm_resp: hex text (default) or decimal */
  idFormat?: 'hex' | 'decimal';
  /** the id in the receipt's text: the same as submit_sm_resp (default), or the other base */
  receiptIdFormat?: 'same' | 'other';
  /** receipted_message_id and message_state TLVs in receipts (default true) */
  receiptTlvs?: boolean;
  /** receipts go on a receiving bind of the same system_id: the one that submitted (default) or another one, as SMSCs with several binds do */
  receiptSession?: 'same' | 'other';
  /** records kept at most per list (default 100000) */
  recordLimit?: number;
  /** keep no record of each submit (benchmarks) */
  lean?: boolean;
  /** what the phone answers to a message it got (nothing: no answer) */
  autoReply?: (received: SmscPhoneMessage) => string | undefined;
}

export interface SmscFaults {
  /** every nth submit_sm is answered ESME_RTHROTTLED (or throttleStatus) */
  throttleEvery?: number;
  /** the status a throttled submit_sm gets: ESME_RTHROTTLED (default) or ESME_RMSGQFUL */
  throttleStatus?: number;
  /** numbers the SMSC refuses with ESME_RINVDSTADR */
  refuseDestinations?: string[];
  /** requests are read and never answered */
  withholdResponses?: boolean;
  /** submit_sm is answered this long after it came */
  responseDelayMs?: number;
}

export interface SmscSubmitRecord {
  session: number;
  systemId: string;
  sequenceId: number;
  body: Body;
  messageId: string;
  status: number;
}

export interface SmscPhoneMessage {
  from: string;
  to: string;
  text?: string;
  data?: Buffer;
  parts: number;
  /** how the parts were joined: 'udh', 'sar', 'payload' or 'single' */
  via: string;
  incomplete: boolean;
  at: number;
}

interface Session {
  serial: number;
  socket: net.Socket;
  systemId?: string;
  mode?: 'transceiver' | 'transmitter' | 'receiver';
  sequence: number;
  unanswered: number;
  pending: Map<number, { resolve: (pdu: SmppPdu) => void; reject: (err: Error) => void }>;
}

const STATE_OF: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };

export class SmscSimulator extends EventEmitter {
  readonly options: Required<Omit<SmscSimulatorOptions, 'autoReply'>> & Pick<SmscSimulatorOptions, 'autoReply'>;
  faults: SmscFaults = {};
  readonly record = {
    binds: [] as Array<{ session: number; systemId: string; mode: string; status: number }>,
    submits: [] as SmscSubmitRecord[],
    deliverResps: [] as Array<{ status: number; sequenceId: number }>,
    enquireLinks: 0,
    unbinds: 0,
    genericNacks: [] as Array<{ status: number; sequenceId: number }>,
    /** the largest number of requests from one session left unanswered at any time */
    maxUnanswered: 0,
  };
  readonly inboxes = new Map<string, SmscPhoneMessage[]>();
  private server?: net.Server;
  private readonly sessions = new Set<Session>();
  private serial = 0;
  private nextId = 0x1000;
  private submitCount = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly reassembler = new Reassembler<{ to: string; from: string; via: string }>({ timeoutMs: 60000 });

  constructor(options: SmscSimulatorOptions = {}) {
    super();
    this.options = {
      host: '127.0.0.1',
      port: 0,
      accounts: { smppclient1: 'password' },
      reportDelayMs: 20,
      reportStat: () => 'DELIVRD',
      idFormat: 'hex',
      receiptIdFormat: 'same',
      receiptTlvs: true,
      receiptSession: 'same',
      recordLimit: 100000,
      lean: false,
      ...options,
    };
    this.reassembler.on('message', (m) => {
      const { to, from, via } = m.parts[0].meta as { to: string; from: string; via: string };
      const list = this.inboxes.get(to) ?? [];
      const received: SmscPhoneMessage = {
        from,
        to,
        text: m.text,
        data: m.text === undefined ? m.data : undefined,
        parts: m.total,
        via: m.total > 1 ? via : 'single',
        incomplete: m.incomplete,
        at: Date.now(),
      };
      pushBounded(list, received, this.options.recordLimit);
      this.inboxes.set(to, list);
      this.emit('phone', received);
      const reply = this.options.autoReply?.(received);
      if (reply !== undefined) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.injectMo({ from: to, to: from, text: reply }).catch(() => undefined);
        }, this.options.reportDelayMs * 2);
        this.timers.add(timer);
      }
    });
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** sessions bound, of every mode */
  get bound(): number {
    return [...this.sessions].filter((s) => s.mode).length;
  }

  start(): Promise<number> {
    this.server = net.createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host, () => resolve(this.port));
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.reassembler.flush();
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Cuts every session, as a network failure would. */
  dropLinks(): void {
    for (const s of this.sessions) s.socket.destroy();
  }

  /** Sends unbind on every bound session, as an SMSC going down for maintenance does. */
  unbindAll(): void {
    for (const s of this.sessions) if (s.mode) this.request(s, 'unbind', {}).catch(() => undefined);
  }

  /** Writes raw bytes to every bound session (malformed PDUs for tests). */
  sendRaw(bytes: Buffer): void {
    for (const s of this.sessions) if (s.mode) s.socket.write(bytes);
  }

  /** Sends one deliver_sm with these fields to a session that receives; resolves with its answer's status. */
  async deliverRaw(body: Body): Promise<number> {
    const session = [...this.sessions].find((s) => s.mode === 'transceiver' || s.mode === 'receiver');
    if (!session) throw new Error('no ESME is bound to receive');
    return (await this.request(session, 'deliver_sm', body)).status;
  }

  /** Sends enquire_link on every bound session; resolves with the answers. */
  enquireLink(): Promise<SmppPdu[]> {
    return Promise.all([...this.sessions].filter((s) => s.mode).map((s) => this.request(s, 'enquire_link', {})));
  }

  /**
   * A phone sends `text` to the ESME: one deliver_sm, or several when long
   * (UDH by default, or SAR TLVs), or one with message_payload. Resolves
   * with the statuses of the ESME's answers.
   */
  async injectMo(mo: { from: string; to: string; text: string; via?: 'udh' | 'sar' | 'payload'; order?: number[] }): Promise<number[]> {
    const session = [...this.sessions].find((s) => s.mode === 'transceiver' || s.mode === 'receiver');
    if (!session) throw new Error('no ESME is bound to receive');
    const via = mo.via ?? 'udh';
    const s = segment(mo.text, { target: 'smpp', to: mo.from });
    const common: Body = { sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: mo.from, destAddrTon: 0, destAddrNpi: 0, destinationAddr: mo.to, dataCoding: s.code };
    const bodies: Body[] =
      via === 'payload' || s.count === 1
        ? [
            {
              ...common,
              esmClass: 0,
              smLength: s.count === 1 ? s.parts[0].payload.length : 0,
              shortMessage: s.count === 1 ? s.parts[0].payload : Buffer.alloc(0),
              tlvs: s.count === 1 ? {} : { messagePayload: Buffer.concat(s.parts.map((p) => p.payload)) },
            },
          ]
        : s.parts.map((p) =>
            via === 'sar'
              ? { ...common, esmClass: 0, smLength: p.payload.length, shortMessage: p.payload, tlvs: { sarMsgRefNum: s.reference ?? 0, sarTotalSegments: p.total, sarSegmentSeqnum: p.number } }
              : { ...common, esmClass: 0x40, smLength: p.userData.length, shortMessage: p.userData },
          );
    const order = mo.order ?? bodies.map((_, i) => i);
    const answers = await Promise.all(order.map((i) => this.request(session, 'deliver_sm', bodies[i])));
    return answers.map((a) => a.status);
  }

  private accept(socket: net.Socket): void {
    const session: Session = { serial: ++this.serial, socket, sequence: 0, unanswered: 0, pending: new Map() };
    this.sessions.add(session);
    socket.setNoDelay(true);
    const framer = new Framer();
    socket.on('data', (chunk) => {
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        let pdu: SmppPdu;
        try {
          pdu = decode(frame);
        } catch {
          // §3.3: a PDU the SMSC cannot read is answered with generic_nack.
          this.send(session, 'generic_nack', frame.length >= 16 ? frame.readUInt32BE(12) : 0, undefined, 0x03);
          continue;
        }
        this.onPdu(session, pdu);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const closed = new Error('session closed');
      for (const waiter of session.pending.values()) waiter.reject(closed);
      session.pending.clear();
      this.sessions.delete(session);
      this.emit('disconnect');
    });
  }

  private send(session: Session, command: Command, sequenceId: number, body?: Body, status = 0): void {
    if (!session.socket.destroyed) session.socket.write(encode({ command, sequenceId, body, status }));
  }

  private request(session: Session, command: Command, body: Body): Promise<SmppPdu> {
    session.sequence = session.sequence >= 0x7fffffff ? 1 : session.sequence + 1;
    const sequenceId = session.sequence;
    return new Promise((resolve, reject) => {
      session.pending.set(sequenceId, { resolve, reject });
      this.send(session, command, sequenceId, body);
    });
  }

  private onPdu(session: Session, pdu: SmppPdu): void {
    if (pdu.command === 'generic_nack' || pdu.command.endsWith('_resp')) {
      if (pdu.command === 'deliver_sm_resp') pushBounded(this.record.deliverResps, { status: pdu.status, sequenceId: pdu.sequenceId }, this.options.recordLimit);
      if (pdu.command === 'generic_nack') pushBounded(this.record.genericNacks, { status: pdu.status, sequenceId: pdu.sequenceId }, this.options.recordLimit);
      const waiter = session.pending.get(pdu.sequenceId);
      session.pending.delete(pdu.sequenceId);
      waiter?.resolve(pdu);
      return;
    }
    if (pdu.command.startsWith('bind_')) {
      this.onBind(session, pdu);
      return;
    }
    if (!session.mode) {
      this.send(session, 'generic_nack', pdu.sequenceId, undefined, ESME_RINVBNDSTS);
      return;
    }
    if (this.faults.withholdResponses) {
      session.unanswered++;
      this.record.maxUnanswered = Math.max(this.record.maxUnanswered, session.unanswered);
      return;
    }
    this.record.maxUnanswered = Math.max(this.record.maxUnanswered, session.unanswered + 1);
    switch (pdu.command) {
      case 'enquire_link':
        this.record.enquireLinks++;
        this.send(session, 'enquire_link_resp', pdu.sequenceId, {});
        return;
      case 'unbind':
        this.record.unbinds++;
        this.send(session, 'unbind_resp', pdu.sequenceId, {});
        session.socket.end();
        return;
      case 'submit_sm':
        this.onSubmit(session, pdu);
        return;
      case 'query_sm':
        this.send(session, 'query_sm_resp', pdu.sequenceId, { messageId: pdu.body.messageId, finalDate: '', messageState: 2, errorCode: 0 });
        return;
      case 'cancel_sm':
      case 'replace_sm':
        this.send(session, `${pdu.command}_resp` as Command, pdu.sequenceId, {});
        return;
      default:
        this.send(session, 'generic_nack', pdu.sequenceId, undefined, 0x03);
    }
  }

  private onBind(session: Session, pdu: SmppPdu): void {
    const mode = pdu.command.slice('bind_'.length) as Session['mode'];
    const systemId = textOf(pdu.body.systemId);
    const expected = this.options.accounts[systemId];
    const status = expected === undefined ? ESME_RINVSYSID : expected !== pdu.body.password ? ESME_RINVPASWD : 0;
    pushBounded(this.record.binds, { session: session.serial, systemId, mode: String(mode), status }, this.options.recordLimit);
    if (status === 0) {
      session.mode = mode;
      session.systemId = systemId;
      this.send(session, `${pdu.command}_resp` as Command, pdu.sequenceId, { systemId: 'SMSCSIM', tlvs: { scInterfaceVersion: 0x34 } });
      this.emit('bind', systemId, mode);
    } else {
      this.send(session, `${pdu.command}_resp` as Command, pdu.sequenceId, undefined, status);
    }
  }

  private onSubmit(session: Session, pdu: SmppPdu): void {
    this.submitCount++;
    const throttle = this.faults.throttleEvery;
    const refused =
      throttle && this.submitCount % throttle === 0
        ? (this.faults.throttleStatus ?? ESME_RTHROTTLED)
        : this.faults.refuseDestinations?.includes(textOf(pdu.body.destinationAddr))
          ? ESME_RINVDSTADR
          : 0;
    if (refused) {
      this.send(session, 'submit_sm_resp', pdu.sequenceId, undefined, refused);
      if (!this.options.lean)
        pushBounded(
          this.record.submits,
          { session: session.serial, systemId: session.systemId ?? '', sequenceId: pdu.sequenceId, body: pdu.body, messageId: '', status: refused },
          this.options.recordLimit,
        );
      return;
    }
    const n = this.nextId++;
    const messageId = this.options.idFormat === 'hex' ? n.toString(16) : String(n);
    const delay = this.faults.responseDelayMs;
    if (delay) {
      session.unanswered++;
      this.record.maxUnanswered = Math.max(this.record.maxUnanswered, session.unanswered);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        session.unanswered--;
        this.send(session, 'submit_sm_resp', pdu.sequenceId, { messageId });
      }, delay);
      this.timers.add(timer);
    } else {
      this.send(session, 'submit_sm_resp', pdu.sequenceId, { messageId });
    }
    const body = pdu.body;
    if (!this.options.lean)
      pushBounded(this.record.submits, { session: session.serial, systemId: session.systemId ?? '', sequenceId: pdu.sequenceId, body, messageId, status: 0 }, this.options.recordLimit);
    if (!this.options.lean) this.toPhone(body);
    if (Number(body.registeredDelivery) & 0x01) {
      const receiptId = this.options.receiptIdFormat === 'same' ? messageId : this.options.idFormat === 'hex' ? String(n) : n.toString(16);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.sendReceipt(session, receiptId, messageId, body);
      }, this.options.reportDelayMs);
      this.timers.add(timer);
    }
  }

  private sendReceipt(from: Session, textId: string, tlvId: string, submit: Body): void {
    const receivers = [...this.sessions].filter((s) => s.systemId === from.systemId && (s.mode === 'transceiver' || s.mode === 'receiver'));
    const session = this.options.receiptSession === 'other' ? (receivers.find((s) => s !== from) ?? receivers[0]) : (receivers.find((s) => s === from) ?? receivers[0]);
    if (!session) return;
    const to = textOf(submit.destinationAddr);
    const stat = this.options.reportStat(to);
    const stamp = reportStamp(Date.now());
    const text = `id:${textId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${stamp} done date:${stamp} stat:${stat} err:000 text:`;
    const tlvs: TlvValues = this.options.receiptTlvs ? { receiptedMessageId: tlvId, messageState: STATE_OF[stat] ?? 7 } : {};
    const content = Buffer.from(text, 'latin1');
    this.request(session, 'deliver_sm', {
      sourceAddrTon: Number(submit.destAddrTon),
      sourceAddrNpi: Number(submit.destAddrNpi),
      sourceAddr: to,
      destAddrTon: Number(submit.sourceAddrTon),
      destAddrNpi: Number(submit.sourceAddrNpi),
      destinationAddr: textOf(submit.sourceAddr),
      esmClass: 0x04,
      dataCoding: 0,
      smLength: content.length,
      shortMessage: content,
      tlvs,
    }).catch(() => undefined);
  }

  /** What the phone gets: parts joined by their UDH, their SAR parameters, or one message_payload. */
  private toPhone(body: Body): void {
    const tlvs = (body.tlvs ?? {}) as TlvValues;
    const dataCoding = Number(body.dataCoding);
    let content = (tlvs.messagePayload as Buffer | undefined) ?? (body.shortMessage as Buffer);
    let concat = { reference: 0, total: 1, sequence: 1 };
    let via = tlvs.messagePayload ? 'payload' : 'single';
    if (Number(body.esmClass) & 0x40) {
      const { udh, length } = parseUdh(content);
      content = content.subarray(length);
      if (udh.concat) concat = udh.concat;
      via = 'udh';
    } else if (tlvs.sarMsgRefNum !== undefined) {
      concat = { reference: Number(tlvs.sarMsgRefNum), total: Number(tlvs.sarTotalSegments), sequence: Number(tlvs.sarSegmentSeqnum) };
      via = 'sar';
    }
    const encoding = ({ 0: 'gsm7', 1: 'ascii', 3: 'latin1', 8: 'ucs2' } as const)[dataCoding as 0 | 1 | 3 | 8];
    const text = encoding ? codecFor(encoding).decode(content) : undefined;
    // Keyed by recipient and sender: one sender's parts to two phones are two messages.
    this.reassembler.push({
      from: `${textOf(body.destinationAddr)}<${textOf(body.sourceAddr)}`,
      ...concat,
      text,
      data: text === undefined ? Buffer.from(content) : undefined,
      meta: { to: textOf(body.destinationAddr), from: textOf(body.sourceAddr), via },
    });
  }
}
