/**
 * A CMPP ISMG on a real TCP port, for tests, demos and trying flows without
 * a carrier account. It logs SPs in (checking the authenticator), answers
 * SUBMIT with spec-shaped Msg_Ids, sends status reports, injects
 * mobile-originated messages, and can misbehave on request.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { pushBounded } from '../bounded';
import { reportStamp } from './stamp';
import { Reassembler } from '../tracking/reassembly';
import { segment } from '../text/segmenter';
import { parseUdh } from '../text/udh';
import { authenticatorIsmg, authenticatorSource, CHINA_UTC_OFFSET_MINUTES } from '../cmpp/auth';
import { asBody, bodyOf, responseTo, SubmitBody } from '../cmpp/bodies';
import { CmppPdu, decode, encodeFrame as encode, encodeReport } from '../cmpp/codec';
import { Body } from '../cmpp/fields';
import { Framer } from '../cmpp/framer';
import { Command, Version, V2, V3 } from '../cmpp/messages';
import { msgIdPlus, packMsgId } from '../cmpp/msgid';
import { decodeContent } from '../cmpp/content';

export interface IsmgSimulatorOptions {
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** SP_Id -> shared secret */
  accounts?: Record<string, string>;
  /** the gateway code in Msg_Ids (bits 38..17) */
  gatewayCode?: number;
  /** delay before a status report is sent (default 50 ms) */
  reportDelayMs?: number;
  /**
   * when a status report leaves: `after` the SUBMIT_RESP, reportDelayMs later
   * (default); `with-response`: in the same TCP write, just after it;
   * `before-response`: in the same write, ahead of it (as gateways under load do)
   */
  reportTiming?: 'after' | 'with-response' | 'before-response';
  /**
   * which link of the SP a report goes on: the one that submitted (default;
   * another of the same SP if it has gone), or `other`: another link of the
   * same SP when there is one, as gateways that spread reports do
   */
  reportLink?: 'same' | 'other';
  /** Stat of the reports, per destination (default DELIVRD) */
  reportStat?: (destination: string) => string;
  /** report width: 60 octets (21-octet terminal id) or 71 (32); default 60 for 2.0, 71 for 3.0 */
  reportWidth?: 60 | 71;
  /** send ACTIVE_TEST this often (0: never) */
  activeTestIntervalMs?: number;
  /** keep no record of submits and no phone inboxes (for benchmarks) */
  lean?: boolean;
  /** entries each record and each phone's inbox keeps at most, the oldest dropped first (default 100000) */
  recordLimit?: number;
  /** what a phone answers to a message it received (nothing when undefined) */
  autoReply?: (message: PhoneMessage) => string | undefined;
  utcOffsetMinutes?: number;
}

export interface Faults {
  /** answer CONNECT with this status (e.g. 3: authentication error) */
  refuseLogin?: number;
  /** answer no request at all */
  withholdResponses?: boolean;
  /** answer requests this late */
  responseDelayMs?: number;
  /** answer the next N SUBMITs with Result 8 (flow control) */
  flowControlSubmits?: number;
  /** answer every SUBMIT with this Result */
  submitResult?: number;
  /** leave the next N SUBMITs unanswered (the SP must resend them) */
  ignoreSubmits?: number;
  /** answer CONNECT with an AuthenticatorISMG that does not match */
  badAuthenticator?: boolean;
  /** fill AuthenticatorISMG as some gateways in the field do: MD5 of four zero octets */
  looseAuthenticator?: boolean;
}

export interface SubmitRecord {
  version: Version;
  /** which of the SP's connections carried it (numbered as they connected) */
  link: number;
  sequenceId: number;
  body: SubmitBody;
  msgId: string;
  result: number;
  receivedAt: number;
}

export interface PhoneMessage {
  from: string;
  to: string;
  text?: string;
  data?: Buffer;
  parts: number;
  incomplete: boolean;
  at: number;
}

interface Link {
  serial: number;
  socket: net.Socket;
  version: Version;
  spId?: string;
  loggedIn: boolean;
  unanswered: number;
  sequence: number;
  pending: Map<number, { resolve: (pdu: CmppPdu) => void; reject: (err: Error) => void }>;
  activeTest?: NodeJS.Timeout;
}

export class IsmgSimulator extends EventEmitter {
  readonly options: Required<Omit<IsmgSimulatorOptions, 'reportWidth' | 'autoReply'>> & Pick<IsmgSimulatorOptions, 'reportWidth' | 'autoReply'>;
  faults: Faults = {};
  readonly record = {
    connects: [] as Array<{ spId: string; version: number; status: number; timestamp: number }>,
    submits: [] as SubmitRecord[],
    deliverResps: [] as Body[],
    activeTestResps: 0,
    activeTests: 0,
    terminates: 0,
    /** the largest number of requests from one SP left unanswered at any time */
    maxUnanswered: 0,
  };
  /** what each simulated phone received, long messages joined */
  readonly inboxes = new Map<string, PhoneMessage[]>();
  private server?: net.Server;
  private links = new Set<Link>();
  private msgSequence = 0;
  // Keyed by recipient and sender: a mass submit sends the same parts to every phone.
  private reassembler = new Reassembler<{ to: string; from: string }>({ timeoutMs: 60000 });
  private timers = new Set<NodeJS.Timeout>();
  private linkSerial = 0;
  /** reports waiting for their timer */
  private scheduled = new Map<NodeJS.Timeout, () => void>();
  /** reports with no link of their SP to go on (or never acknowledged), sent at its next login */
  private readonly held = new Map<string, Array<{ msgId: string; to: string; submit: SubmitBody }>>();

  constructor(options: IsmgSimulatorOptions = {}) {
    super();
    this.options = {
      host: '127.0.0.1',
      port: 0,
      accounts: { '901234': 'secret' },
      gatewayCode: 10001,
      reportDelayMs: 50,
      reportTiming: 'after',
      reportLink: 'same',
      reportStat: () => 'DELIVRD',
      activeTestIntervalMs: 0,
      lean: false,
      recordLimit: 100000,
      utcOffsetMinutes: CHINA_UTC_OFFSET_MINUTES,
      ...options,
    };
    this.reassembler.on('message', (m) => {
      const { to, from } = m.parts[0].meta as { to: string; from: string };
      const list = this.inboxes.get(to) ?? [];
      pushBounded(list, { from, to, text: m.text, data: m.text === undefined ? m.data : undefined, parts: m.total, incomplete: m.incomplete, at: Date.now() }, this.options.recordLimit);
      this.inboxes.set(to, list);
      const received = list[list.length - 1];
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
    for (const link of this.links) {
      clearInterval(link.activeTest);
      link.socket.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Connected and logged-in SPs. */
  get sessions(): number {
    return [...this.links].filter((l) => l.loggedIn).length;
  }

  /** Cuts every link, as a network failure would. */
  dropLinks(): void {
    for (const link of this.links) link.socket.destroy();
  }

  /** Sends something that is not a CMPP frame on every link. */
  sendMalformed(kind: 'length' | 'command' = 'length'): void {
    const frame = Buffer.alloc(12);
    if (kind === 'length')
      frame.writeUInt32BE(5, 0); // shorter than a header
    else {
      frame.writeUInt32BE(12, 0);
      frame.writeUInt32BE(0x00000099, 4);
    }
    for (const link of this.links) link.socket.write(frame);
  }

  /**
   * Sends a DELIVER whose body cannot be read, on every link: `length`, a
   * Msg_Length past the end of the frame; `report`, a status report whose
   * Msg_Content is not 60 or 71 octets. Resolves with the DELIVER_RESP bodies.
   */
  async sendBadDeliver(kind: 'length' | 'report' = 'length'): Promise<Body[]> {
    const answers: Promise<CmppPdu>[] = [];
    for (const link of this.links) {
      if (!link.loggedIn) continue;
      const content = Buffer.from(kind === 'report' ? 'not a report' : 'hello');
      const frame = encode({ command: 'DELIVER', sequenceId: 0, body: this.deliverBody('1069001', '13800138000', content, kind === 'report' ? 1 : 0) }, link.version);
      if (kind === 'length') {
        const at = frame.length - content.length - (link.version === V3 ? 21 : 9); // Msg_Length precedes Msg_Content
        frame[at] = 200;
      }
      answers.push(this.requestFrame(link, frame));
    }
    return (await Promise.all(answers)).map((p) => p.body);
  }

  /** Sends TERMINATE to every SP. */
  terminate(): void {
    for (const link of this.links) this.send(link, 'TERMINATE', this.nextLinkSequence(link), {});
  }

  /**
   * A phone sends `text` to the SP's service number: one DELIVER, or several
   * with a concatenation header when it is long. Resolves with the
   * DELIVER_RESP bodies once the SP has answered every part.
   */
  async injectMo(mo: { from: string; to: string; text: string | Buffer; serviceId?: string; referenceBits?: 8 | 16; reference?: number; order?: number[]; spread?: boolean }): Promise<Body[]> {
    const loggedIn = [...this.links].filter((l) => l.loggedIn);
    if (!loggedIn.length) throw new Error('no SP is logged in');
    // `spread`: part n goes on the SP's link n (round robin), as gateways with several links do.
    let next = 0;
    const linkFor = (): Link => (mo.spread ? loggedIn[next++ % loggedIn.length] : loggedIn[0]);
    const s = segment(mo.text, { target: 'cmpp', referenceBits: mo.referenceBits, reference: mo.reference, to: mo.from });
    const order = mo.order ?? s.parts.map((_, i) => i);
    const answers: Promise<CmppPdu>[] = [];
    for (const i of order) {
      const part = s.parts[i];
      answers.push(
        this.request(linkFor(), 'DELIVER', {
          ...this.deliverBody(mo.to, mo.from, part.userData, 0),
          serviceId: mo.serviceId ?? '',
          tpUdhi: s.count > 1 ? 1 : 0,
          msgFmt: s.code,
        }),
      );
    }
    return (await Promise.all(answers)).map((p) => p.body);
  }

  private accept(socket: net.Socket): void {
    const link: Link = { serial: ++this.linkSerial, socket, version: V3, loggedIn: false, unanswered: 0, sequence: 0, pending: new Map() };
    this.links.add(link);
    const framer = new Framer();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Answers to one read leave together.
      socket.cork();
      process.nextTick(() => socket.uncork());
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        let pdu: CmppPdu;
        try {
          pdu = decode(frame, link.version);
        } catch {
          socket.destroy();
          return;
        }
        this.onPdu(link, pdu);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(link.activeTest);
      const closed = new Error('link closed');
      for (const waiter of link.pending.values()) waiter.reject(closed);
      link.pending.clear();
      this.links.delete(link);
      this.emit('disconnect');
    });
  }

  private onPdu(link: Link, pdu: CmppPdu): void {
    if (pdu.command.endsWith('_RESP')) {
      if (pdu.command === 'DELIVER_RESP' && !this.options.lean) pushBounded(this.record.deliverResps, pdu.body, this.options.recordLimit);
      if (pdu.command === 'ACTIVE_TEST_RESP') this.record.activeTestResps++;
      const waiter = link.pending.get(pdu.sequenceId);
      link.pending.delete(pdu.sequenceId);
      waiter?.resolve(pdu);
      return;
    }
    if (pdu.command === 'CONNECT') {
      this.onConnect(link, pdu);
      return;
    }
    if (!link.loggedIn) {
      link.socket.destroy();
      return;
    }
    link.unanswered++;
    this.record.maxUnanswered = Math.max(this.record.maxUnanswered, link.unanswered);
    switch (pdu.command) {
      case 'SUBMIT':
        return this.onSubmit(link, pdu);
      case 'ACTIVE_TEST':
        this.record.activeTests++;
        return this.answer(link, pdu, { reserved: 0 });
      case 'TERMINATE':
        this.record.terminates++;
        this.answer(link, pdu, {}, () => link.socket.end());
        return;
      case 'QUERY':
        return this.answer(link, pdu, {
          time: pdu.body.time,
          queryType: pdu.body.queryType,
          queryCode: pdu.body.queryCode,
          mtTlMsg: this.record.submits.length,
          mtTlUsr: this.record.submits.reduce((n, s) => n + Number(s.body.destUsrTl), 0),
          mtScs: this.record.submits.filter((s) => s.result === 0).length,
          mtWt: 0,
          mtFl: this.record.submits.filter((s) => s.result !== 0).length,
          moScs: this.record.deliverResps.length,
          moWt: 0,
          moFl: 0,
        });
      case 'CANCEL': {
        const found = this.record.submits.some((s) => s.msgId === pdu.body.msgId);
        return this.answer(link, pdu, { successId: found ? 0 : 1 });
      }
      default:
        link.unanswered--;
    }
  }

  private onConnect(link: Link, pdu: CmppPdu): void {
    const { sourceAddr, authenticatorSource: source, version, timestamp } = bodyOf(pdu, 'CONNECT');
    link.version = version === V2 ? V2 : V3;
    const secret = this.options.accounts[sourceAddr];
    let status = 0;
    if (version !== V3 && version !== V2) status = 4;
    else if (secret === undefined) status = 2;
    else if (!authenticatorSource(sourceAddr, secret, String(timestamp).padStart(10, '0')).equals(source)) status = 3;
    if (this.faults.refuseLogin) status = this.faults.refuseLogin;
    pushBounded(this.record.connects, { spId: sourceAddr, version, status, timestamp }, this.options.recordLimit);
    let authenticatorIsmgValue = status === 0 ? authenticatorIsmg(0, source, secret, link.version) : Buffer.alloc(16);
    if (this.faults.badAuthenticator) authenticatorIsmgValue = Buffer.alloc(16, 0x55);
    if (this.faults.looseAuthenticator && status === 0) authenticatorIsmgValue = createHash('md5').update(Buffer.alloc(4)).digest();
    const answer = responseTo(pdu, asBody('CONNECT_RESP', { status, authenticatorIsmg: authenticatorIsmgValue, version: link.version }));
    this.send(link, answer.command, answer.sequenceId, answer.body);
    if (status !== 0) {
      link.socket.end();
      return;
    }
    link.loggedIn = true;
    link.spId = sourceAddr;
    if (this.options.activeTestIntervalMs > 0) {
      link.activeTest = setInterval(() => this.send(link, 'ACTIVE_TEST', this.nextLinkSequence(link), {}), this.options.activeTestIntervalMs);
    }
    this.emit('login', sourceAddr);
    // As a real ISMG does: what could not be delivered while the SP was away goes now.
    const held = this.held.get(sourceAddr) ?? [];
    this.held.delete(sourceAddr);
    for (const r of held) this.deliverReport(sourceAddr, link, r);
  }

  /** Reports kept for SPs that are not logged in (or not acknowledged), by SP_Id. */
  get heldReports(): number {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }

  /** Sends every report whose delay has not yet passed, now. */
  flushReports(): Promise<void> {
    const due = [...this.scheduled];
    this.scheduled.clear();
    for (const [timer, send] of due) {
      clearTimeout(timer);
      this.timers.delete(timer);
      send();
    }
    return Promise.resolve();
  }

  private onSubmit(link: Link, pdu: CmppPdu): void {
    const body = bodyOf(pdu, 'SUBMIT');
    const recipients = body.destTerminalId;
    if (this.faults.ignoreSubmits && this.faults.ignoreSubmits > 0) {
      this.faults.ignoreSubmits--;
      link.unanswered--; // as if lost on the way: the SP no longer waits for it once it resends
      pushBounded(this.record.submits, { version: link.version, link: link.serial, sequenceId: pdu.sequenceId, body, msgId: '', result: -1, receivedAt: Date.now() }, this.options.recordLimit);
      return;
    }
    let result = this.faults.submitResult ?? 0;
    if (this.faults.flowControlSubmits && this.faults.flowControlSubmits > 0) {
      this.faults.flowControlSubmits--;
      result = 8;
    }
    const msgId = result === 0 ? this.nextMsgId(recipients.length) : '0';
    if (!this.options.lean)
      pushBounded(this.record.submits, { version: link.version, link: link.serial, sequenceId: pdu.sequenceId, body, msgId, result, receivedAt: Date.now() }, this.options.recordLimit);
    this.emit('submit', body, msgId, result);
    const timing = this.options.reportTiming;
    if (result === 0 && body.registeredDelivery === 1 && timing !== 'after' && !this.faults.withholdResponses && !this.faults.responseDelayMs) {
      // The response and its reports in one write, in the order asked for.
      link.unanswered = Math.max(0, link.unanswered - 1);
      const response = encode(responseTo(pdu, asBody('SUBMIT_RESP', { msgId, result })), link.version);
      const reports = recipients.map((to, k) => {
        const frame = this.reportFrame(link, msgIdPlus(msgId, k), to, body);
        const sequenceId = this.nextLinkSequence(link);
        frame.writeUInt32BE(sequenceId, 8);
        link.pending.set(sequenceId, { resolve: () => undefined, reject: () => undefined });
        return frame;
      });
      const frames = timing === 'before-response' ? [...reports, response] : [response, ...reports];
      if (!link.socket.destroyed) link.socket.write(Buffer.concat(frames));
      if (!this.options.lean) for (const to of recipients) this.toPhone(to, body);
      return;
    }
    this.answer(link, pdu, asBody('SUBMIT_RESP', { msgId, result }));
    if (result !== 0) return;
    if (!this.options.lean) for (const to of recipients) this.toPhone(to, body);
    if (body.registeredDelivery === 1) {
      const spId = link.spId as string;
      const send = (): void => recipients.forEach((to, k) => this.deliverReport(spId, link, { msgId: msgIdPlus(msgId, k), to, submit: body }));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.scheduled.delete(timer);
        send();
      }, this.options.reportDelayMs);
      this.timers.add(timer);
      this.scheduled.set(timer, send);
    }
  }

  private toPhone(to: string, body: SubmitBody): void {
    const contentBytes = body.msgContent;
    let reference = 0;
    let total = 1;
    let sequence = 1;
    let payload = contentBytes;
    if (body.tpUdhi === 1) {
      try {
        const { udh, length } = parseUdh(contentBytes);
        payload = contentBytes.subarray(length);
        if (udh.concat) ({ reference, total, sequence } = udh.concat);
      } catch {
        // an unreadable header: the phone shows the bytes as they are
      }
    }
    const decoded = decodeContent(payload, body.msgFmt);
    this.reassembler.push({
      from: `${to}<${body.srcId}`,
      reference,
      total,
      sequence,
      text: typeof decoded === 'string' ? decoded : undefined,
      data: typeof decoded === 'string' ? undefined : decoded,
      meta: { to, from: body.srcId },
    });
  }

  /**
   * Sends a report on a link of its SP (the preferred one, or per
   * `reportLink`); with none logged in, or when the link closes before the
   * DELIVER_RESP, it is held for the SP's next login.
   */
  private deliverReport(spId: string, preferred: Link, r: { msgId: string; to: string; submit: SubmitBody }): void {
    const ofSp = [...this.links].filter((l) => l.loggedIn && l.spId === spId && !l.socket.destroyed);
    const others = ofSp.filter((l) => l !== preferred);
    const link = this.options.reportLink === 'other' && others.length ? others[0] : ofSp.includes(preferred) ? preferred : ofSp[0];
    const hold = (): void => {
      const list = this.held.get(spId) ?? [];
      pushBounded(list, r, this.options.recordLimit);
      this.held.set(spId, list);
    };
    if (!link) {
      hold();
      return;
    }
    this.requestFrame(link, this.reportFrame(link, r.msgId, r.to, r.submit)).catch(hold);
  }

  /** A status report DELIVER (its Sequence_Id is set when it is sent). */
  private reportFrame(link: Link, msgId: string, to: string, submit: SubmitBody): Buffer {
    const stamp = reportStamp(Date.now(), this.options.utcOffsetMinutes);
    const wide = (this.options.reportWidth ?? (link.version === V3 ? 71 : 60)) === 71;
    const content = encodeReport(
      {
        msgId,
        stat: this.options.reportStat(to),
        submitTime: stamp,
        doneTime: stamp,
        destTerminalId: to,
        smscSequence: this.msgSequence,
      },
      wide,
    );
    return encode({ command: 'DELIVER', sequenceId: 0, body: { ...this.deliverBody(String(submit.srcId), to, content, 1), serviceId: String(submit.serviceId) } }, link.version);
  }

  private deliverBody(destId: string, from: string, content: Buffer, registeredDelivery: 0 | 1): Body {
    return {
      msgId: this.nextMsgId(1),
      destId,
      serviceId: '',
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: 0,
      srcTerminalId: from,
      srcTerminalType: 0,
      registeredDelivery,
      msgLength: content.length,
      msgContent: content,
      linkId: '',
    };
  }

  /** A Msg_Id for now; `count` ids are reserved (a mass submit's range). */
  private nextMsgId(count: number): string {
    const t = new Date(Date.now() + this.options.utcOffsetMinutes * 60000);
    const sequence = this.msgSequence & 0xffff;
    this.msgSequence = (this.msgSequence + count) & 0xffff;
    return packMsgId({
      month: t.getUTCMonth() + 1,
      day: t.getUTCDate(),
      hour: t.getUTCHours(),
      minute: t.getUTCMinutes(),
      second: t.getUTCSeconds(),
      gateway: this.options.gatewayCode,
      sequence,
    });
  }

  private answer(link: Link, request: CmppPdu, body: Body, after?: () => void): void {
    const { command, sequenceId } = responseTo(request, body);
    if (this.faults.withholdResponses) return;
    const send = (): void => {
      link.unanswered = Math.max(0, link.unanswered - 1);
      this.send(link, command, sequenceId, body);
      after?.();
    };
    const delay = this.faults.responseDelayMs ?? 0;
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, delay);
      this.timers.add(timer);
    } else {
      send();
    }
  }

  private request(link: Link, command: Command, body: Body): Promise<CmppPdu> {
    return this.requestFrame(link, encode({ command, sequenceId: 0, body }, link.version));
  }

  /** Sends a request frame under the link's next Sequence_Id; resolves with its answer, rejects when the link closes. */
  private requestFrame(link: Link, frame: Buffer): Promise<CmppPdu> {
    const sequenceId = this.nextLinkSequence(link);
    frame.writeUInt32BE(sequenceId, 8);
    return new Promise((resolve, reject) => {
      if (link.socket.destroyed) {
        reject(new Error('link closed'));
        return;
      }
      link.pending.set(sequenceId, { resolve, reject });
      link.socket.write(frame);
    });
  }

  private nextLinkSequence(link: Link): number {
    link.sequence = (link.sequence + 1) >>> 0 || 1;
    return link.sequence;
  }

  private send(link: Link, command: Command, sequenceId: number, body: Body): void {
    if (link.socket.destroyed) return;
    link.socket.write(encode({ command, sequenceId, body }, link.version));
  }
}
