/**
 * A GSM modem in PDU mode: it opens the line and sets the modem up, sends
 * (long text in parts, status reports when asked), receives (+CMTI then
 * AT+CMGR then AT+CMGD, +CMT acknowledged when the modem asks, a sweep of
 * stored messages at start), matches status reports to the parts they
 * answer, and watches signal and registration. When the line goes away it
 * reopens it with back-off; a send under way is sent again. A PIN the SIM
 * refused is never sent again (a SIM locks after three); a send waits for
 * the modem at most `queueTimeoutMs`; a long message stops at its first
 * failed part. Stored messages are read by one worker, each once.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { withDefaults } from '../defaults';
import { SmsError } from '../errors';
import { DeliveryReport, ReportTracker } from '../tracking/reports';
import { PartResult, SendResult } from '../results';
import { Encoding } from '../text/codecs';
import { ReassembledMessage, Reassembler, ReassemblerOptions } from '../tracking/reassembly';
import { ReferenceAllocator } from '../text/references';
import { decodeReceived, Deliver, StatusReport } from '../pdu/tpdu';
import { submitsFor } from '../pdu/submits';
import { describeTpStatus, tpStatus } from '../pdu/status';
import { checkParts, duration, refuseEmpty } from '../limits';
import { MemoryStore } from '../store/memory';
import { Store, when } from '../store/store';
import { jsonSafe } from '../store/json';
import { AtEngine, Urc } from './at';
import { openLine } from './transport';

export interface ModemOptions {
  /** /dev/ttyUSB0, COM3, or tcp://host:port */
  port?: string;
  baudRate?: number;
  /** opens the line instead of `port` (an in-process stream, a mock serial port) */
  open?: () => Promise<Duplex>;
  pin?: string;
  /** the SMS centre number, when the SIM does not carry the right one */
  smsc?: string;
  commandTimeoutMs?: number;
  /** AT+CMGS may take long on a busy network (default 60 s) */
  sendTimeoutMs?: number;
  reopen?: { initialMs?: number; maxMs?: number };
  /** how often signal and registration are read (default 60 s; 0: never) */
  signalIntervalMs?: number;
  referenceBits?: 8 | 16;
  reports?: { ttlMs?: number; maxPending?: number };
  reassembly?: ReassemblerOptions;
  /** where received messages are kept and read: SIM (SM, the default), phone (ME), or both (MT) */
  storage?: Storage;
  /** a send waits for the modem to be ready at most this long (default 60 s); 0: for ever */
  queueTimeoutMs?: number;
  /** while the modem is not ready (after the first try to open it), fail sends at once */
  failWhenDown?: boolean;
  /** where report expectations and the parts of long incoming messages are kept (default: memory) */
  store?: Store;
}

export type Storage = 'SM' | 'ME' | 'MT';
const STORAGES: readonly Storage[] = ['SM', 'ME', 'MT'];

export type ModemState = 'opening' | 'ready' | 'reopening' | 'failed' | 'closed';

export interface Signal {
  /** +CSQ rssi 0..31, 99 unknown */
  rssi: number;
  /** dBm, when known */
  dbm?: number;
  /** +CREG stat: 1 home, 5 roaming */
  registered: boolean;
  roaming: boolean;
}

export interface ModemSendRequest {
  to: string | string[];
  payload: string | Buffer;
  encoding?: Encoding | 'auto';
  statusReport?: boolean;
  /** minutes the SMS centre keeps trying */
  validityMinutes?: number;
  /** class 0: shown at once, not stored */
  flash?: boolean;
  correlation?: unknown;
  /** SMS this message may cost per recipient at most (default 10; 0: no limit) */
  maxParts?: number;
}

export type ModemPartResult = PartResult;
export type ModemSendResult = SendResult<'modem'>;

export interface ModemIncoming {
  payload: string | Buffer;
  from: string;
  to: string;
  sms: { channel: 'modem'; encoding: Encoding; parts: number; incomplete: boolean; receivedAt: string; sentAt?: string; raw: string[] };
}

export declare interface Modem {
  on(event: 'state', listener: (state: ModemState, detail?: Error) => void): this;
  on(event: 'message', listener: (sms: ModemIncoming) => void): this;
  on(event: 'report', listener: (report: DeliveryReport) => void): this;
  on(event: 'signal', listener: (signal: Signal) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

interface Meta {
  pdu: string;
  deliver: Deliver;
}

const digits = (n: string): string => n.replace(/[^\d]/g, '');

/**
 * The key a status report is matched by: the message reference and the end of the recipient's number.
 * Networks often write the recipient of a report otherwise than it was sent (+886912345678 for
 * 0912345678, + for 00): its last 7 digits, without the zeros they may start with, are the same in
 * every form, and among the few messages waiting under one reference they tell recipients apart.
 */
function reportKey(reference: number, number: string): string {
  return `${reference}:${digits(number).slice(-REPORT_DIGITS).replace(/^0+/, '')}`;
}
const REPORT_DIGITS = 7;

/** Settings that go into AT commands are checked here, so that nothing else can ride along. */
function checkSettings(options: ModemOptions): void {
  if (options.pin !== undefined && options.pin !== '' && !/^\d{4,8}$/.test(options.pin)) {
    throw new SmsError('SMS_FIELD', 'pin: the SIM PIN is 4 to 8 digits', 'pin');
  }
  if (options.smsc !== undefined && options.smsc !== '' && !/^\+?\d{3,20}$/.test(options.smsc)) {
    throw new SmsError('SMS_FIELD', 'smsc: the SMS centre number is 3 to 20 digits, optionally starting with +', 'smsc');
  }
  if (options.storage !== undefined && !STORAGES.includes(options.storage)) {
    throw new SmsError('SMS_FIELD', `storage: one of ${STORAGES.join(', ')}, got "${String(options.storage)}"`, 'storage');
  }
}

/** The SIM refused the PIN, or is locked: nothing will fix it but the user. */
class SimFailure extends SmsError {}

export class Modem extends EventEmitter {
  private readonly options: ModemOptions & {
    commandTimeoutMs: number;
    sendTimeoutMs: number;
    reopen: { initialMs: number; maxMs: number };
    signalIntervalMs: number;
    storage: Storage;
    queueTimeoutMs: number;
  };
  private at?: AtEngine;
  private stateValue: ModemState = 'closed';
  private reopenDelay: number;
  private reopenTimer?: NodeJS.Timeout;
  private signalTimer?: NodeJS.Timeout;
  private ready?: Promise<void>;
  private readyResolve?: () => void;
  private closing = false;
  private needsAck = false;
  private readonly tracker = new ReportTracker({ channel: 'modem' });
  private readonly reassembler: Reassembler<Meta>;
  private readonly references = new ReferenceAllocator();
  private sends = 0;
  /** makes report groups unique across restarts */
  private readonly instance = Date.now().toString(36);
  private readonly store: Store;
  private restored = false;
  /** stored-message indexes announced by +CMTI / +CDSI and not yet read (repeats coalesce) */
  private readonly toRead = new Set<number>();
  /** indexes read (or listed by the sweep) and not yet deleted: a +CMTI for one of them is the same message */
  private readonly taken = new Set<number>();
  private sweepNeeded = false;
  private readerRunning = false;
  /** how many messages the storage holds (from AT+CPMS): an index past it is not real */
  private storageSize = 255;
  private warnedIndex = false;
  /** the SIM refused the PIN or is locked: not tried again until the settings change */
  private simFailure?: SimFailure;
  private everOpened = false;
  lastSignal?: Signal;

  constructor(options: ModemOptions) {
    super();
    this.options = {
      ...withDefaults({ commandTimeoutMs: 10000, sendTimeoutMs: 60000, signalIntervalMs: 60000, storage: 'SM', queueTimeoutMs: 60000 }, options),
      reopen: withDefaults({ initialMs: 1000, maxMs: 30000 }, options.reopen),
    };
    if (!options.open && !options.port) throw new SmsError('SMS_FIELD', 'port: give the serial port (e.g. /dev/ttyUSB0, COM3) or tcp://host:port', 'port');
    checkSettings(options);
    this.reopenDelay = this.options.reopen.initialMs;
    this.store = options.store ?? new MemoryStore();
    this.tracker = new ReportTracker({ channel: 'modem', store: this.store.reports, ...options.reports });
    this.reassembler = new Reassembler<Meta>({ store: this.store.partials, ...options.reassembly });
    this.tracker.on('report', (r) => this.emit('report', r));
    this.tracker.on('error', (err) => this.emit('error', err));
    this.reassembler.on('message', (m) => this.emit('message', this.incoming(m)));
  }

  get state(): ModemState {
    return this.stateValue;
  }

  /** Opens and sets up the modem; resolves when it is ready (or rejects on a setup it cannot pass, such as a wrong PIN). */
  start(): Promise<void> {
    this.closing = false;
    if (!this.restored) {
      // What the store kept across a restart: reports still awaited, parts of long messages.
      this.restored = true;
      this.tracker.restore().catch((err) => this.emit('error', err));
      when(this.store.partials.load(), (records) => this.reassembler.restore(records));
    }
    this.ready = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
    return this.open();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reopenTimer);
    clearInterval(this.signalTimer);
    this.tracker.close();
    if (this.store.kind === 'memory') this.reassembler.flush();
    else this.reassembler.stop();
    const at = this.at;
    this.at = undefined;
    if (at && !at.isClosed)
      await new Promise<void>((resolve) => {
        at.once('close', () => resolve());
        at.close();
      });
    this.setState('closed');
  }

  async send(request: ModemSendRequest): Promise<ModemSendResult> {
    const recipients = (Array.isArray(request.to) ? request.to.map(String) : String(request.to ?? '').split(/[\s,;]+/)).map((n) => n.trim()).filter(Boolean);
    if (!recipients.length) throw new SmsError('SMS_FIELD', 'to: give at least one phone number (msg.to)', 'to');
    for (const n of recipients) if (!/^\+?\d{3,20}$/.test(n)) throw new SmsError('SMS_FIELD', `to: "${n}" is not a phone number (digits, optionally starting with +)`, 'to');
    refuseEmpty(request.payload, request.encoding);
    const sendKey = `${this.instance}-${++this.sends}`;
    const correlation = jsonSafe(request.correlation);
    const submittedAt = new Date().toISOString();
    const deadline = this.options.queueTimeoutMs > 0 ? Date.now() + this.options.queueTimeoutMs : Infinity;
    // Every recipient's parts are made (and checked) before the first one leaves.
    const planned = recipients.map((to) => ({
      to,
      ...submitsFor(to, request.payload, {
        encoding: request.encoding,
        referenceBits: this.options.referenceBits,
        allocator: this.references,
        statusReport: request.statusReport,
        validity: request.validityMinutes ? { format: 'relative', minutes: request.validityMinutes } : undefined,
        messageClass: request.flash ? 0 : undefined,
      }),
    }));
    for (const { split } of planned) checkParts(split, request.maxParts);
    const results: ModemPartResult[] = [];
    const { encoding, count: parts } = planned[0].split;
    for (const { to, split, pdus } of planned) {
      let failedPart = 0;
      for (const [i, p] of pdus.entries()) {
        if (failedPart) {
          // The phone could never join a message with a part missing: the rest is not sent (nor paid for).
          results.push({ to, part: i + 1, ok: false, id: '', code: 'SMS_NOT_SENT', description: `not sent: part ${failedPart} failed, so the rest of the message was not sent` });
          continue;
        }
        try {
          const mr = await this.submit(p.hex, p.tpduLength, deadline);
          if (request.statusReport) {
            this.tracker.expect(reportKey(mr, to), { group: `${sendKey}:${to}`, to, part: i + 1, total: split.count, submittedAt, correlation, carrierId: String(mr) });
          }
          results.push({ to, part: i + 1, ok: true, id: String(mr), code: 0, description: 'sent' });
        } catch (err) {
          const e = err as SmsError;
          failedPart = i + 1;
          results.push({ to, part: i + 1, ok: false, id: '', code: e.code ?? 'MODEM_ERROR', description: e.message });
        }
      }
    }
    return { channel: 'modem', ok: results.every((r) => r.ok), to: recipients, encoding, parts, results };
  }

  /** AT+CSQ and AT+CREG?: signal and registration now. */
  async readSignal(): Promise<Signal> {
    const at = await this.line();
    const csq = (await at.command('AT+CSQ')).find((l) => l.startsWith('+CSQ:'));
    const creg = (await at.command('AT+CREG?')).find((l) => l.startsWith('+CREG:'));
    const rssi = Number(/\+CSQ:\s*(\d+)/.exec(csq ?? '')?.[1] ?? 99);
    const stat = Number((creg ?? '').split(',').pop());
    const signal: Signal = { rssi, registered: stat === 1 || stat === 5, roaming: stat === 5 };
    if (rssi <= 31) signal.dbm = -113 + 2 * rssi;
    this.lastSignal = signal;
    this.emit('signal', signal);
    return signal;
  }

  /** One part, sent again after a reopen if the line dropped under it. */
  private async submit(hex: string, tpduLength: number, deadline: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const at = await this.line(deadline);
      try {
        const lines = await at.commandWithPrompt(`AT+CMGS=${tpduLength}`, hex, this.options.sendTimeoutMs);
        const mr = /\+CMGS:\s*(\d+)/.exec(lines.join('\n'));
        if (!mr) throw new SmsError('MODEM_REPLY', `AT+CMGS: the modem said OK without +CMGS: <reference> (${JSON.stringify(lines)})`);
        return Number(mr[1]);
      } catch (err) {
        if ((err as SmsError).code !== 'MODEM_CLOSED' || attempt >= 3 || this.closing) throw err;
      }
    }
  }

  /** The line, once the modem is ready: at once, or by `deadline`, or an error that says why not. */
  private async line(deadline = Infinity): Promise<AtEngine> {
    if (this.closing) throw new SmsError('MODEM_CLOSED', 'the modem is closed');
    if (this.simFailure) throw this.simFailure;
    if (this.stateValue !== 'ready') {
      if (this.options.failWhenDown && this.everOpened) {
        throw new SmsError('MODEM_NOT_READY', `not sent: the modem is ${this.stateValue} (the modem is set to fail at once while it is not ready)`);
      }
      await this.readyBy(deadline);
    }
    if (!this.at || this.at.isClosed) throw new SmsError('MODEM_CLOSED', 'the modem line is closed');
    return this.at;
  }

  private readyBy(deadline: number): Promise<void> {
    if (deadline === Infinity) return this.ready as Promise<void>;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const why = this.simFailure ? this.simFailure.message : `the modem is ${this.stateValue}`;
          reject(new SmsError('MODEM_QUEUE_TIMEOUT', `not sent within ${duration(this.options.queueTimeoutMs)}: ${why}`));
        },
        Math.max(0, deadline - Date.now()),
      );
      (this.ready as Promise<void>).then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => undefined,
      ); // a failed start is said by the state; this wait ends at its deadline
    });
  }

  private setState(state: ModemState, detail?: Error): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state, detail);
  }

  private async open(): Promise<void> {
    this.setState(this.stateValue === 'closed' ? 'opening' : 'reopening');
    let stream: Duplex;
    try {
      stream = this.options.open ? await this.options.open() : await openLine(this.options.port as string, this.options.baudRate);
    } catch (err) {
      this.scheduleReopen(err as Error);
      return;
    }
    const at = new AtEngine(stream, { timeoutMs: this.options.commandTimeoutMs });
    this.at = at;
    at.on('urc', (urc) => this.onUrc(urc));
    at.on('warning', (err) => this.emit('error', err));
    at.on('close', (err) => {
      if (this.at !== at || this.closing || this.simFailure) return;
      clearInterval(this.signalTimer);
      this.ready = new Promise((resolve) => {
        this.readyResolve = resolve;
      });
      this.scheduleReopen(err ?? new SmsError('MODEM_CLOSED', 'the modem line closed'));
    });
    try {
      await this.setup(at);
    } catch (err) {
      this.everOpened = true;
      const e = err as SmsError;
      if (e instanceof SimFailure || /^CME_1[0-8]$|^CMS_31\d$/.test(e.code)) {
        // A SIM problem will not pass by itself: stop, say why, do not reopen.
        this.simFailure = e instanceof SimFailure ? e : new SimFailure(e.code, e.message);
        this.setState('failed', this.simFailure);
        clearTimeout(this.reopenTimer);
        stream.destroy();
        throw this.simFailure;
      }
      stream.destroy();
      return;
    }
    this.everOpened = true;
    this.reopenDelay = this.options.reopen.initialMs;
    this.setState('ready');
    this.readyResolve?.();
    if (this.options.signalIntervalMs > 0) {
      clearInterval(this.signalTimer);
      this.signalTimer = setInterval(() => void this.readSignal().catch(() => undefined), this.options.signalIntervalMs);
      this.signalTimer.unref?.();
    }
    this.readSignal().catch(() => undefined);
    this.sweepNeeded = true;
    this.readStored();
  }

  private scheduleReopen(err: Error): void {
    if (this.closing) return;
    this.everOpened = true;
    this.setState('reopening', err);
    const delay = this.reopenDelay;
    this.reopenDelay = Math.min(this.options.reopen.maxMs, this.reopenDelay * 2);
    this.reopenTimer = setTimeout(() => void this.open().catch(() => undefined), delay);
  }

  private async setup(at: AtEngine): Promise<void> {
    let alive = false;
    for (let i = 0; i < 3 && !alive; i++) {
      try {
        await at.command('AT', 2000);
        alive = true;
      } catch (err) {
        if ((err as SmsError).code === 'MODEM_CLOSED') throw err;
      }
    }
    if (!alive) throw new SmsError('MODEM_TIMEOUT', 'the modem does not answer AT: check the port and the baud rate');
    await at.command('ATE0');
    await at.command('AT+CMEE=1');
    await this.unlockSim(at);
    await at.command('AT+CMGF=0');
    if (this.options.smsc) await at.command(`AT+CSCA="${this.options.smsc}",${this.options.smsc.startsWith('+') ? 145 : 129}`);
    const mem = this.options.storage;
    const cpms = (await at.command(`AT+CPMS="${mem}","${mem}","${mem}"`)).join(' ');
    const total = Number(/\+CPMS:\s*\d+\s*,\s*(\d+)/.exec(cpms)?.[1]);
    if (Number.isInteger(total) && total > 0) this.storageSize = total;
    const csms = (await at.command('AT+CSMS?').catch(() => [] as string[])).join(' ');
    this.needsAck = /\+CSMS:\s*1/.test(csms);
    // New messages stored with +CMTI; status reports straight to us with +CDS.
    await at.command('AT+CNMI=2,1,0,1,0');
  }

  /**
   * Asks the SIM what it needs and sends the PIN only on "SIM PIN", and only
   * if the SIM has not refused it before: three wrong PINs lock a SIM.
   */
  private async unlockSim(at: AtEngine): Promise<void> {
    const cpin = (await at.command('AT+CPIN?')).join(' ');
    if (/SIM PUK/.test(cpin)) {
      throw new SimFailure('MODEM_PUK', 'the SIM is locked after too many wrong PINs: it needs the PUK from the carrier; unlock it in a phone, then deploy again');
    }
    if (!/SIM PIN/.test(cpin)) return;
    if (!this.options.pin) throw new SimFailure('MODEM_PIN', 'the SIM asks for its PIN: set the PIN in the modem settings');
    try {
      await at.command(`AT+CPIN="${this.options.pin}"`, undefined, 'AT+CPIN=<PIN>');
    } catch (err) {
      const e = err as SmsError;
      if (e.code === 'MODEM_TIMEOUT' || e.code === 'MODEM_CLOSED') throw e;
      const left = await this.pinTriesLeft(at);
      const tries = left === undefined ? '' : ` The SIM has ${left} ${left === 1 ? 'try' : 'tries'} left before it locks and needs the PUK.`;
      throw new SimFailure('MODEM_PIN_REFUSED', `the SIM refused the PIN (${e.message}); it is not sent again until you change the PIN setting or deploy again.${tries}`);
    }
  }

  /** AT+CPINR (27.007): the PIN tries left, where the modem tells. */
  private async pinTriesLeft(at: AtEngine): Promise<number | undefined> {
    try {
      const lines = await at.command('AT+CPINR="SIM PIN"');
      const m = /\+CPINR:\s*"?SIM PIN"?\s*,\s*(\d+)/.exec(lines.join(' '));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The one reader of stored messages: first the sweep (AT+CMGL, every
   * message stored while nobody listened), then each index +CMTI announced.
   * An index the sweep took is not read again; repeats coalesce; the
   * commands go in the background lane, behind the user's sends.
   */
  private readStored(): void {
    if (this.readerRunning) return;
    this.readerRunning = true;
    const run = async (): Promise<void> => {
      while (!this.closing && (this.sweepNeeded || this.toRead.size)) {
        const at = this.at;
        if (!at || at.isClosed || this.stateValue !== 'ready') return;
        if (this.sweepNeeded) {
          this.sweepNeeded = false;
          await this.sweep(at);
          continue;
        }
        const index = this.toRead.values().next().value as number;
        this.toRead.delete(index);
        this.taken.add(index);
        try {
          const lines = await at.command(`AT+CMGR=${index}`, { lane: 'background' });
          const pdu = lines.find((l, i) => i > 0 && /^[0-9A-Fa-f]+$/.test(l));
          if (pdu) this.take(pdu);
          await at.command(`AT+CMGD=${index}`, { lane: 'background', onOk: () => this.taken.delete(index) });
        } finally {
          this.taken.delete(index);
        }
      }
    };
    run()
      .catch((err) => this.emit('error', err))
      .finally(() => {
        this.readerRunning = false;
        if (!this.closing && this.stateValue === 'ready' && (this.sweepNeeded || this.toRead.size)) this.readStored();
      });
  }

  /** Reads and deletes every stored message: what came while the line was down is not missed. */
  private async sweep(at: AtEngine): Promise<void> {
    const listed = (lines: string[]): number[] =>
      lines
        .map((l) => /^\+CMGL:\s*(\d+)/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]));
    // As the list is read, its messages are taken: a +CMTI for one of them, before or after, is not read again.
    const lines = await at.command('AT+CMGL=4', {
      lane: 'background',
      onOk: (answer) => {
        for (const index of listed(answer)) {
          this.toRead.delete(index);
          this.taken.add(index);
        }
      },
    });
    try {
      for (let i = 0; i < lines.length; i++) {
        const m = /^\+CMGL:\s*(\d+)/.exec(lines[i]);
        if (!m || i + 1 >= lines.length) continue;
        const index = Number(m[1]);
        this.take(lines[i + 1]);
        await at.command(`AT+CMGD=${index}`, { lane: 'background', onOk: () => this.taken.delete(index) }).catch((err) => this.emit('error', err));
        i++;
      }
    } finally {
      for (const index of listed(lines)) this.taken.delete(index);
    }
  }

  private onUrc(urc: Urc): void {
    if (urc.name === 'CMTI' || urc.name === 'CDSI') {
      const m = /:\s*"?(\w*)"?\s*,\s*(\d+)\s*$/.exec(urc.line);
      const index = Number(m?.[2]);
      if (!m || !Number.isInteger(index) || index > this.storageSize || (m[1] && m[1] !== this.options.storage && this.options.storage !== 'MT')) {
        if (!this.warnedIndex)
          this.emit('error', new SmsError('MODEM_URC', `the modem announced a stored message that is not in ${this.options.storage} (1..${this.storageSize}): ${urc.line}; ignored`));
        this.warnedIndex = true;
        return;
      }
      if (this.taken.has(index)) return; // being read already
      this.toRead.add(index);
      this.readStored();
      return;
    }
    if ((urc.name === 'CMT' || urc.name === 'CDS') && urc.pdu) {
      this.take(urc.pdu);
      if (this.needsAck) this.at?.command('AT+CNMA').catch((err) => this.emit('error', err));
    }
  }

  /** A PDU the modem received: a message (joined when it has parts) or a status report. */
  private take(hex: string): void {
    let tpdu: Deliver | StatusReport;
    try {
      tpdu = decodeReceived(hex);
    } catch (err) {
      this.emit('error', new SmsError((err as SmsError).code ?? 'PDU_ERROR', `a received PDU could not be read (${(err as Error).message}): ${hex}`));
      return;
    }
    if (tpdu.type === 'SMS-STATUS-REPORT') {
      const status = tpStatus(tpdu.status);
      // Sent before this key (the number's digits whole), and still waiting: matched as it was kept.
      const kept = `${tpdu.reference}:${digits(tpdu.recipient.number)}`;
      const key = this.tracker.expects(kept) ? kept : reportKey(tpdu.reference, tpdu.recipient.number);
      this.tracker.resolve(key, {
        status,
        detail: describeTpStatus(tpdu.status),
        doneAt: tpdu.dischargeTime?.iso,
        submittedAt: tpdu.timestamp?.iso,
        to: tpdu.recipient.number,
      });
      return;
    }
    const concat = tpdu.userData.udh?.concat;
    this.reassembler.push({
      from: tpdu.from.number,
      reference: concat?.reference ?? 0,
      total: concat?.total ?? 1,
      sequence: concat?.sequence ?? 1,
      text: tpdu.userData.text,
      data: tpdu.userData.text === undefined ? tpdu.userData.data : undefined,
      meta: { pdu: hex, deliver: tpdu },
    });
  }

  private incoming(m: ReassembledMessage<Meta>): ModemIncoming {
    const first = (m.parts[0].meta as Meta).deliver;
    const encoding: Encoding = first.dcs.alphabet === '8bit' ? 'binary' : first.dcs.alphabet;
    return {
      payload: m.text ?? m.data ?? Buffer.alloc(0),
      from: m.from,
      to: '',
      sms: {
        channel: 'modem',
        encoding,
        parts: m.total,
        incomplete: m.incomplete,
        receivedAt: new Date().toISOString(),
        sentAt: first.timestamp?.iso,
        raw: m.parts.map((p) => (p.meta as Meta).pdu),
      },
    };
  }
}
