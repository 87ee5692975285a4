/**
 * Virtual GSM modems on a virtual network, speaking AT in PDU mode over any
 * Duplex stream or a TCP port: what one sends reaches another (decoded and
 * re-encoded as SMS-DELIVER), status reports come back, messages are stored
 * on a SIM that fills up, and errors can be injected (+CMS ERROR, silence, a
 * dropped line). Enough of 27.005 for the driver and for trying flows.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { decodeDeliver, decodeSubmit, encodeDeliver, encodeStatusReport } from '../pdu/tpdu';
import { submitsFor } from '../pdu/submits';
import { pushBounded } from '../bounded';
import { Reassembler } from '../tracking/reassembly';
import { fromHex } from '../pdu/octets';

export interface VirtualNetworkOptions {
  smsc?: string;
  /** delay before a status report is sent (default 20 ms) */
  reportDelayMs?: number;
  /** the network's time zone, in minutes from UTC (default +480) */
  offsetMinutes?: number;
}

interface Stored {
  index: number;
  /** 0 REC UNREAD, 1 REC READ */
  stat: number;
  hex: string;
  /** octets after the SMSC prefix */
  length: number;
}

export interface VirtualModemOptions {
  pin?: string;
  /** messages the SIM holds (default 20) */
  storageSize?: number;
  /** +CSMS service 1: the modem expects AT+CNMA after +CMT / +CDS */
  requireAck?: boolean;
}

export interface VirtualFaults {
  /** answer the next AT+CMGS with +CMS ERROR n (330, 331, 500...) */
  cmsError?: number;
  /** answer nothing to the next N commands */
  silence?: number;
  /** answer nothing to the next N AT+CMGS (no prompt) */
  ignoreSends?: number;
  /** send this unsolicited line in the middle of the next answer */
  urcDuringAnswer?: string;
  /** let this many AT+CMGS through, then answer the next one with +CMS ERROR `code` */
  failSendAfter?: { sends: number; code: number };
  /** send these unsolicited lines in the middle of the answer to the next command that starts with `command` */
  urcsDuring?: { command: string; lines: string[] };
  /** send this unsolicited line in the same write as the next "> " prompt, as Huawei sticks do (^RSSI, +CMTI) */
  urcWithPrompt?: string;
}

export class VirtualNetwork extends EventEmitter {
  readonly options: Required<VirtualNetworkOptions>;
  readonly modems = new Map<string, VirtualModem>();
  /** everyone reachable, modems and phones, by number without + */
  private readonly subscribers = new Map<string, Subscriber>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(options: VirtualNetworkOptions = {}) {
    super();
    this.options = { smsc: '+15550000000', reportDelayMs: 20, offsetMinutes: 480, ...options };
  }

  /** A modem with this subscriber number (international, e.g. +886912345678). */
  modem(number: string, options: VirtualModemOptions = {}): VirtualModem {
    const m = new VirtualModem(this, number, options);
    this.modems.set(digits(number), m);
    this.subscribers.set(digits(number), m);
    return m;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const m of this.modems.values()) m.stop();
  }

  /** A phone with no AT line: it keeps what it receives, joined, and may answer. */
  phone(number: string, reply?: (text: string) => string | undefined): VirtualPhone {
    const p = new VirtualPhone(this, number, reply);
    this.subscribers.set(digits(number), p);
    return p;
  }

  /** A subscriber sent an SMS-SUBMIT: deliver it, and report on it when asked. */
  carry(from: Subscriber, mr: number, tpdu: Buffer): void {
    const submit = decodeSubmit(tpdu, { withSmsc: false });
    const target = this.subscribers.get(digits(submit.to.number));
    const submittedAt = new Date();
    const alphabet = submit.dcs.alphabet;
    const { raw, udl } = submit.userData;
    const delivered =
      target?.receive(
        encodeDeliver(
          {
            from: from.number,
            timestamp: submittedAt,
            offsetMinutes: this.options.offsetMinutes,
            pid: submit.pid,
            messageClass: submit.dcs.messageClass,
            userData: { raw, length: udl, udhi: submit.userData.udh !== undefined, alphabet },
          },
          { smsc: this.options.smsc },
        ),
      ) ?? false;
    this.emit('carried', { from: from.number, to: submit.to.number, text: submit.userData.text, delivered });
    if (!submit.statusReport) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      from.receiveReport(
        encodeStatusReport(
          {
            reference: mr,
            recipient: submit.to,
            timestamp: submittedAt,
            dischargeTime: new Date(),
            offsetMinutes: this.options.offsetMinutes,
            status: !target ? 0x43 : delivered ? 0x00 : 0x62,
          },
          { smsc: this.options.smsc },
        ),
      );
    }, this.options.reportDelayMs);
    this.timers.add(timer);
  }
}

/** Anyone on the network that can send: a modem, or a phone. */
export interface Subscriber {
  readonly number: string;
  receive(encoded: { hex: string; tpduLength: number }): boolean;
  receiveReport(encoded: { hex: string; tpduLength: number }): void;
}

export class VirtualPhone extends EventEmitter implements Subscriber {
  /** what the phone shows, long messages joined */
  readonly inbox: Array<{ from: string; text: string; parts: number; incomplete: boolean; at: number }> = [];
  private readonly reassembler = new Reassembler<null>({ timeoutMs: 60000 });
  private mr = 0;

  constructor(
    private readonly network: VirtualNetwork,
    readonly number: string,
    private readonly reply?: (text: string) => string | undefined,
  ) {
    super();
    this.reassembler.on('message', (m) => {
      const entry = { from: m.from, text: m.text ?? '', parts: m.total, incomplete: m.incomplete, at: Date.now() };
      this.inbox.push(entry);
      this.emit('message', entry);
      const answer = this.reply?.(entry.text);
      if (answer !== undefined) setTimeout(() => this.send(m.from, answer), 200).unref?.();
    });
  }

  receive(encoded: { hex: string; tpduLength: number }): boolean {
    const d = decodeDeliver(encoded.hex);
    const concat = d.userData.udh?.concat;
    this.reassembler.push({
      from: d.from.number,
      reference: concat?.reference ?? 0,
      total: concat?.total ?? 1,
      sequence: concat?.sequence ?? 1,
      text: d.userData.text ?? d.userData.data.toString('hex'),
    });
    return true;
  }

  receiveReport(): void {
    // a phone does not ask for reports
  }

  /** The phone's user types a message to `to`. */
  send(to: string, text: string): void {
    for (const p of submitsFor(to, text, { smsc: null }).pdus) {
      this.mr = (this.mr + 1) & 0xff;
      this.network.carry(this, this.mr, Buffer.from(p.hex, 'hex').subarray(1));
    }
  }
}

function digits(number: string): string {
  return number.replace(/^\+/, '');
}

export class VirtualModem extends EventEmitter implements Subscriber {
  readonly options: Required<Omit<VirtualModemOptions, 'pin'>> & Pick<VirtualModemOptions, 'pin'>;
  faults: VirtualFaults = {};
  /** the SIM's messages ("SM"); the phone's own memory ("ME") is kept apart, and "MT" is both */
  readonly storage: Stored[] = [];
  readonly phoneStorage: Stored[] = [];
  /** every command line received, for tests */
  readonly commands: string[] = [];
  acknowledged = 0;
  private stream?: Duplex;
  private server?: net.Server;
  private input = '';
  private prompt?: { length: number };
  private echo = true;
  private pinOk: boolean;
  /** wrong PINs the SIM still takes before it asks for the PUK */
  pinTriesLeft = 3;
  /** where messages are read and stored (AT+CPMS) */
  private memory = 'SM';
  /** the TE character set (AT+CSCS); text in PDU mode does not depend on it */
  private charset = 'GSM';
  private cnmi = [0, 0, 0, 0, 0];
  /** AT+CREG=n (AT+CGREG=n for GPRS): 0 no unsolicited +CREG, 1 the state, 2 the state with the cell */
  private creg = 0;
  private cgreg = 0;
  /** AT+COPS=3,n: how AT+COPS? names the operator (0 long, 1 short, 2 numeric) */
  private copsFormat = 0;
  private mr = 0;
  private smsc: string;

  constructor(
    private readonly network: VirtualNetwork,
    readonly number: string,
    options: VirtualModemOptions,
  ) {
    super();
    this.options = { storageSize: 20, requireAck: false, ...options };
    this.pinOk = !options.pin;
    this.smsc = network.options.smsc;
  }

  /** Serves one line at a time on this stream (a later attach replaces it). */
  attach(stream: Duplex): void {
    this.stream?.destroy();
    this.stream = stream;
    this.input = '';
    this.prompt = undefined;
    stream.on('data', (chunk: Buffer | string) => this.onData(String(chunk)));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (this.stream === stream) this.stream = undefined;
    });
  }

  /** Listens on a TCP port, as a serial server (ser2net) would. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = net.createServer((socket) => this.attach(socket));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve((this.server!.address() as net.AddressInfo).port));
    });
  }

  /** Cuts the line, as unplugging the cable would. */
  dropLine(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }

  stop(): void {
    this.dropLine();
    this.server?.close();
  }

  /** An SMS-DELIVER from the network. Returns false when the SIM is full. */
  receive(encoded: { hex: string; tpduLength: number }): boolean {
    if (this.cnmi[1] === 2 && this.stream) {
      this.urc(`+CMT: ,${encoded.tpduLength}`, encoded.hex);
      return true;
    }
    const index = this.storeOnSim(encoded);
    if (index < 0) return false;
    if (this.cnmi[1] === 1) this.urc(`+CMTI: "${this.receiving}",${index}`);
    return true;
  }

  receiveReport(encoded: { hex: string; tpduLength: number }): void {
    if (this.cnmi[3] === 1 && this.stream) {
      this.urc(`+CDS: ${encoded.tpduLength}`, encoded.hex);
      return;
    }
    const index = this.storeOnSim(encoded);
    if (index >= 0 && this.cnmi[3] === 2) this.urc(`+CDSI: "${this.receiving}",${index}`);
  }

  /**
   * Puts a PDU where received messages are kept (the phone's memory when
   * AT+CPMS chose "ME", else the SIM) without telling anyone; returns its
   * index, or -1 when that memory is full.
   */
  storeOnSim(encoded: { hex: string; tpduLength: number }): number {
    const memory = this.memory === 'ME' ? this.phoneStorage : this.storage;
    if (memory.length >= this.options.storageSize) return -1;
    let index = 1;
    while (memory.some((s) => s.index === index)) index++;
    memory.push({ index, stat: 0, hex: encoded.hex, length: encoded.tpduLength });
    return index;
  }

  /** The memory a new message goes to, as a +CMTI names it. */
  private get receiving(): string {
    return this.memory === 'ME' ? 'ME' : 'SM';
  }

  /** The messages the memory chosen with AT+CPMS holds: the SIM's, the phone's, or both ("MT"). */
  private readable(): Stored[] {
    if (this.memory === 'ME') return this.phoneStorage;
    return this.memory === 'MT' ? [...this.storage, ...this.phoneStorage] : this.storage;
  }

  /** Messages in the chosen memory, and its size. */
  private usage(): [number, number] {
    const size = this.options.storageSize;
    return [this.readable().length, this.memory === 'MT' ? size * 2 : size];
  }

  /** Sends unsolicited lines as they are (a modem gone wrong, in tests). */
  sendRaw(text: string): void {
    this.write(text);
  }

  private urc(line: string, pdu?: string): void {
    this.write(`\r\n${line}\r\n${pdu !== undefined ? `${pdu}\r\n` : ''}`);
  }

  private write(text: string): void {
    if (this.stream && !this.stream.destroyed) this.stream.write(text);
  }

  private onData(text: string): void {
    this.input += text;
    for (;;) {
      if (this.prompt) {
        const end = this.input.search(/[\x1a\x1b]/);
        if (end < 0) return;
        const body = this.input.slice(0, end).trim();
        const cancelled = this.input[end] === '\x1b';
        this.input = this.input.slice(end + 1);
        const { length } = this.prompt;
        this.prompt = undefined;
        if (!cancelled) this.finishSend(body, length);
        continue;
      }
      const cr = this.input.indexOf('\r');
      if (cr < 0) return;
      // A stray ESC (a client leaving a prompt it thinks is open) is not a command.
      const line = this.input.slice(0, cr).replace(/^\n/, '').replace(/\x1b/g, '').trim();
      this.input = this.input.slice(cr + 1).replace(/^\n/, '');
      if (line) this.onCommand(line);
    }
  }

  private answer(lines: string[], final = 'OK'): void {
    const out = lines.map((l) => `\r\n${l}`);
    if (this.faults.urcDuringAnswer && out.length) {
      out.splice(1, 0, `\r\n${this.faults.urcDuringAnswer}`);
      this.faults.urcDuringAnswer = undefined;
    }
    const during = this.faults.urcsDuring;
    if (during && this.commands[this.commands.length - 1]?.toUpperCase().startsWith(during.command)) {
      out.splice(Math.min(1, out.length), 0, ...during.lines.map((l) => `\r\n${l}`));
      this.faults.urcsDuring = undefined;
    }
    this.write(`${out.join('')}\r\n${final}\r\n`);
  }

  private onCommand(line: string): void {
    pushBounded(this.commands, line, 10000);
    if (this.echo) this.write(`${line}\r`);
    if (this.faults.silence && this.faults.silence > 0) {
      this.faults.silence--;
      return;
    }
    const cmd = line.toUpperCase();
    const arg = (prefix: string): string => line.slice(prefix.length);
    const needSim = /^AT\+(CMGS|CMGR|CMGL|CMGD|CPMS|CSCA)/.test(cmd);
    if (needSim && !this.pinOk) return this.answer([], '+CMS ERROR: 311');
    if (cmd === 'AT' || cmd === 'ATZ' || /^AT\+CMEE=/.test(cmd) || cmd === 'AT+CMGF=0') return this.answer([]);
    if (cmd === 'ATE0' || cmd === 'ATE1') {
      this.echo = cmd === 'ATE1';
      return this.answer([]);
    }
    if (cmd === 'AT+CMGF=1') return this.answer([], '+CMS ERROR: 303');
    if (cmd === 'AT+CPIN?') return this.answer([`+CPIN: ${this.pinOk ? 'READY' : this.pinTriesLeft > 0 ? 'SIM PIN' : 'SIM PUK'}`]);
    if (cmd.startsWith('AT+CPIN=')) {
      if (this.pinTriesLeft <= 0) return this.answer([], '+CME ERROR: 12'); // SIM PUK required
      if (arg('AT+CPIN=').replace(/"/g, '') !== this.options.pin) {
        this.pinTriesLeft--;
        return this.answer([], '+CME ERROR: 16');
      }
      this.pinOk = true;
      this.pinTriesLeft = 3;
      return this.answer([]);
    }
    if (cmd.startsWith('AT+CPINR')) return this.answer([`+CPINR: "SIM PIN",${this.pinTriesLeft},3`, '+CPINR: "SIM PUK",10,10']);
    if (cmd === 'AT+CSQ') return this.answer(['+CSQ: 21,99']);
    // Registration (27.007 7.2, 10.1.19): on the home network; n = 2 adds the cell.
    const registration = /^AT\+(C|CG)REG(\?|=\?|=[012])$/.exec(cmd);
    if (registration) {
      const name = `+${registration[1]}REG`;
      const which = registration[1] === 'C' ? 'creg' : 'cgreg';
      if (registration[2] === '=?') return this.answer([`${name}: (0-2)`]);
      if (registration[2] !== '?') {
        this[which] = Number(registration[2].slice(1));
        return this.answer([]);
      }
      return this.answer([this[which] === 2 ? `${name}: 2,1,"0001","00A1"` : `${name}: ${this[which]},1`]);
    }
    if (cmd === 'AT+CGATT?') return this.answer(['+CGATT: 1']);
    if (/^AT\+COPS=3,[012]$/.test(cmd)) {
      this.copsFormat = Number(cmd.slice(-1));
      return this.answer([]);
    }
    if (cmd === 'AT+COPS?') return this.answer([`+COPS: 0,${this.copsFormat},"${this.copsFormat === 2 ? '46692' : 'Virtual Network'}"`]);
    if (cmd === 'AT+CSMS?') return this.answer([`+CSMS: ${this.options.requireAck ? 1 : 0},1,1,1`]);
    if (cmd === 'AT+CNMA') {
      this.acknowledged++;
      return this.answer([]);
    }
    if (cmd === 'AT+CNMI=?') return this.answer(['+CNMI: (0-2),(0-3),(0-3),(0-2),(0,1)']);
    if (cmd === 'AT+CNMI?') return this.answer([`+CNMI: ${this.cnmi.join(',')}`]);
    if (cmd.startsWith('AT+CNMI=')) {
      this.cnmi = arg('AT+CNMI=').split(',').map(Number);
      return this.answer([]);
    }
    if (cmd === 'AT+CPMS=?') return this.answer(['+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")']);
    if (cmd === 'AT+CPMS?') {
      const [used, size] = this.usage();
      return this.answer([`+CPMS: "${this.memory}",${used},${size},"${this.memory}",${used},${size},"${this.memory}",${used},${size}`]);
    }
    if (cmd.startsWith('AT+CPMS')) {
      const mem = /^AT\+CPMS="?(SM|ME|MT)"?/.exec(cmd)?.[1];
      if (cmd.startsWith('AT+CPMS=') && !mem) return this.answer([], '+CMS ERROR: 302');
      if (mem) this.memory = mem;
      const [used, size] = this.usage();
      return this.answer([`+CPMS: ${used},${size},${used},${size},${used},${size}`]);
    }
    if (cmd === 'AT+CSCA?') return this.answer([`+CSCA: "${this.smsc}",145`]);
    if (cmd.startsWith('AT+CSCA=')) {
      this.smsc = arg('AT+CSCA=').split(',')[0].replace(/"/g, '');
      return this.answer([]);
    }
    if (cmd.startsWith('AT+CMGS=') && this.faults.ignoreSends) {
      this.faults.ignoreSends--;
      return;
    }
    if (cmd.startsWith('AT+CMGS=') && this.faults.failSendAfter) {
      const f = this.faults.failSendAfter;
      if (f.sends-- <= 0) {
        this.faults.failSendAfter = undefined;
        return this.answer([], `+CMS ERROR: ${f.code}`);
      }
    }
    if (cmd.startsWith('AT+CMGS=')) {
      const length = Number(arg('AT+CMGS='));
      if (!Number.isInteger(length) || length < 1 || length > 164) return this.answer([], '+CMS ERROR: 304');
      this.prompt = { length };
      const urc = this.faults.urcWithPrompt;
      this.faults.urcWithPrompt = undefined;
      this.write(urc ? `\r\n> \r\n${urc}\r\n` : '\r\n> ');
      return;
    }
    if (cmd.startsWith('AT+CMGR=')) {
      const entry = this.readable().find((s) => s.index === Number(arg('AT+CMGR=')));
      if (!entry) return this.answer([], '+CMS ERROR: 321');
      const stat = entry.stat;
      entry.stat = 1;
      return this.answer([`+CMGR: ${stat},,${entry.length}`, entry.hex]);
    }
    if (cmd.startsWith('AT+CMGL=')) {
      const stat = Number(arg('AT+CMGL='));
      const lines: string[] = [];
      for (const s of this.readable()) {
        if (stat !== 4 && s.stat !== stat) continue;
        lines.push(`+CMGL: ${s.index},${s.stat},,${s.length}`, s.hex);
        s.stat = 1;
      }
      return this.answer(lines);
    }
    if (cmd.startsWith('AT+CMGD=')) {
      const [index, flag] = arg('AT+CMGD=').split(',').map(Number);
      const memories = this.memory === 'MT' ? [this.storage, this.phoneStorage] : [this.memory === 'ME' ? this.phoneStorage : this.storage];
      if (flag === 4) for (const m of memories) m.splice(0);
      else {
        const m = memories.find((list) => list.some((s) => s.index === index));
        if (!m && !flag) return this.answer([], '+CMS ERROR: 321');
        if (m)
          m.splice(
            m.findIndex((s) => s.index === index),
            1,
          );
      }
      return this.answer([]);
    }
    // What a real client asks first (27.007 identification, the character set).
    const identity: Record<string, string> = {
      'AT+CGMI': 'smsflow',
      'AT+GMI': 'smsflow',
      'AT+CGMM': 'smsflow virtual modem',
      'AT+GMM': 'smsflow virtual modem',
      ATI: 'smsflow virtual modem',
      ATI3: 'smsflow virtual modem',
      ATI4: 'smsflow virtual modem',
      'AT+CGMR': '1.0',
      'AT+GMR': '1.0',
      'AT+CGSN': '359000000000001',
      'AT+GSN': '359000000000001',
      'AT+CIMI': '466920000000001',
    };
    if (identity[cmd] !== undefined) return this.answer([identity[cmd]]);
    if (cmd === 'AT+CSCS?') return this.answer([`+CSCS: "${this.charset}"`]);
    if (cmd === 'AT+CSCS=?') return this.answer(['+CSCS: ("GSM","IRA","UCS2")']);
    if (cmd.startsWith('AT+CSCS=')) {
      const set = arg('AT+CSCS=').replace(/"/g, '');
      if (!['GSM', 'IRA', 'UCS2'].includes(set)) return this.answer([], '+CME ERROR: 4');
      this.charset = set;
      return this.answer([]);
    }
    if (cmd === 'AT+CFUN?') return this.answer(['+CFUN: 1']);
    if (/^AT\+CFUN=[01]$/.test(cmd)) return this.answer([]);
    if (cmd === 'AT+CMGF?') return this.answer(['+CMGF: 0']);
    if (cmd === 'AT+CMGF=?') return this.answer(['+CMGF: (0)']);
    return this.answer([], 'ERROR');
  }

  private finishSend(hex: string, length: number): void {
    if (this.faults.cmsError !== undefined) {
      const code = this.faults.cmsError;
      this.faults.cmsError = undefined;
      return this.answer([], `+CMS ERROR: ${code}`);
    }
    let bytes: Buffer;
    try {
      bytes = fromHex(hex);
    } catch {
      return this.answer([], '+CMS ERROR: 304');
    }
    const smscLength = bytes[0] ?? 0;
    const tpdu = bytes.subarray(1 + smscLength);
    if (tpdu.length !== length) return this.answer([], '+CMS ERROR: 304');
    const mr = (this.mr = (this.mr + 1) & 0xff);
    try {
      this.network.carry(this, mr, tpdu);
    } catch {
      return this.answer([], '+CMS ERROR: 304');
    }
    this.answer([`+CMGS: ${mr}`]);
  }
}
