/**
 * An AT command engine over any Duplex stream (a serial port, a TCP serial
 * server, the virtual modem): one command at a time, each with a timeout;
 * final results OK, ERROR, +CME ERROR and +CMS ERROR; the "> " prompt of
 * AT+CMGS; and unsolicited result codes recognised wherever they arrive,
 * even in the middle of a command's answer. Bounded against a modem gone
 * wrong: a line longer than any PDU line is dropped, and the queue of
 * waiting commands has a limit. Background work (reading stored messages)
 * waits behind the user's sends.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { SmsError } from '../errors';
import { cmeError, cmsError } from './errors';

export interface Urc {
  /** CMTI, CMT, CDS, CDSI, CREG, RING, or the vendor's name (^RSSI: "RSSI") */
  name: string;
  line: string;
  /** the PDU line that follows +CMT and +CDS */
  pdu?: string;
}

/** Lines that arrive without being asked for. +CREG is one only when AT+CREG is not being asked. */
const URC = /^(\+CMTI|\+CMT|\+CDSI|\+CDS|\+CREG|\+CGREG|\+CUSD|\+CBM|RING|NO CARRIER|\^[A-Z]+)(:|$)/;
const WITH_PDU = new Set(['+CMT', '+CDS', '+CBM']);
const FINAL = /^(OK|ERROR|\+CME ERROR: ?(\d+)|\+CMS ERROR: ?(\d+)|NO CARRIER)$/;

/** foreground: sends and set-up; background: work that may wait (stored-message reads) */
export type Lane = 'foreground' | 'background';

export interface AtEngineOptions {
  /** a command unanswered this long fails (default 10 s) */
  timeoutMs?: number;
  /** characters in one line at most (default 2048; a PDU line is at most about 360) */
  maxLineLength?: number;
  /** commands waiting at most (default 100); past it a command fails at once with MODEM_BUSY */
  maxQueue?: number;
  /**
   * after a command timed out, the line must be quiet this long before the
   * engine checks it with AT and goes on (default 300 ms): the late answer of
   * the command that timed out is dropped, never taken for the next one's
   */
  resyncQuietMs?: number;
}

/** AT checks after a timeout before the engine goes on regardless (the line closes if the modem is gone) */
const RESYNC_TRIES = 3;

export interface CommandOptions {
  timeoutMs?: number;
  /** how errors name the command (a PIN never appears in them) */
  label?: string;
  lane?: Lane;
  /** called as the OK is read, before any line after it (a URC in the same read) is handled */
  onOk?: (lines: string[]) => void;
}

interface Queued {
  run: () => void;
  reject: (err: Error) => void;
}

interface Pending {
  command: string;
  /** how errors name the command (a PIN never appears in them) */
  label: string;
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
  onOk?: (lines: string[]) => void;
  timer: NodeJS.Timeout;
  /** text sent after the "> " prompt, ended with Ctrl-Z */
  afterPrompt?: string;
  prompted?: boolean;
}

export declare interface AtEngine {
  on(event: 'urc', listener: (urc: Urc) => void): this;
  on(event: 'close', listener: (err?: Error) => void): this;
  /** something the modem sent was dropped (a line too long) */
  on(event: 'warning', listener: (err: SmsError) => void): this;
}

export class AtEngine extends EventEmitter {
  private buffer = '';
  /** dropping the rest of a line that grew past the limit */
  private discarding = false;
  private pending?: Pending;
  private readonly foreground: Queued[] = [];
  private readonly background: Queued[] = [];
  private urcAwaitingPdu?: Urc;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxLineLength: number;
  private readonly maxQueue: number;
  private readonly resyncQuietMs: number;
  /** after a timeout: waiting for the line to be quiet, then for the AT check; commands wait meanwhile */
  private syncing = false;
  private quiet?: { timer: NodeJS.Timeout; then: () => void };

  constructor(
    private readonly stream: Duplex,
    options: AtEngineOptions | number = {},
  ) {
    super();
    const o = typeof options === 'number' ? { timeoutMs: options } : options;
    this.timeoutMs = o.timeoutMs ?? 10000;
    this.maxLineLength = o.maxLineLength ?? 2048;
    this.maxQueue = o.maxQueue ?? 100;
    this.resyncQuietMs = o.resyncQuietMs ?? 300;
    stream.on('data', (chunk: Buffer | string) => this.onData(String(chunk)));
    const end = (err?: Error): void => this.onClose(err);
    stream.once('close', () => end());
    stream.once('end', () => end());
    stream.on('error', (err: Error) => end(err));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the line; whatever waits fails with MODEM_CLOSED. */
  close(): void {
    this.stream.destroy();
  }

  /**
   * Sends a command (without the trailing CR); resolves with the lines before
   * OK. Errors name it by `label` when given: a command carrying a secret
   * (AT+CPIN) is never quoted in a message.
   */
  command(command: string, options: number | CommandOptions = {}, label?: string): Promise<string[]> {
    const o = typeof options === 'number' ? { timeoutMs: options } : options;
    return this.enqueue(command, o.timeoutMs ?? this.timeoutMs, undefined, label ?? o.label ?? command, o.lane, o.onOk);
  }

  /** commands waiting for their turn */
  get waiting(): number {
    return this.foreground.length + this.background.length;
  }

  /** AT+CMGS and the like: the command, then `text` after the "> " prompt, ended with Ctrl-Z. */
  commandWithPrompt(command: string, text: string, timeoutMs = this.timeoutMs): Promise<string[]> {
    return this.enqueue(command, timeoutMs, text);
  }

  private enqueue(command: string, timeoutMs: number, afterPrompt?: string, label = command, lane: Lane = 'foreground', onOk?: (lines: string[]) => void): Promise<string[]> {
    if (this.closed) return Promise.reject(new SmsError('MODEM_CLOSED', `${label}: the modem line is closed`));
    if ((this.pending || this.syncing) && this.waiting >= this.maxQueue) {
      return Promise.reject(new SmsError('MODEM_BUSY', `${label}: ${this.waiting} commands already wait for the modem; try again later`));
    }
    return new Promise((resolve, reject) => {
      const run = (): void => {
        const timer = setTimeout(() => {
          this.pending = undefined;
          reject(new SmsError('MODEM_TIMEOUT', `${label}: no answer from the modem within ${timeoutMs} ms`));
          if (afterPrompt !== undefined) this.stream.write('\x1b'); // leave the prompt if the modem still waits in it
          this.resync();
        }, timeoutMs);
        this.pending = { command, label, lines: [], resolve, reject, onOk, timer, afterPrompt };
        this.stream.write(`${command}\r`);
      };
      if (this.pending || this.syncing) (lane === 'background' ? this.background : this.foreground).push({ run, reject });
      else run();
    });
  }

  /**
   * After a timeout the modem may still answer the command that timed out:
   * wait until the line is quiet (what comes meanwhile is dropped, URCs
   * aside), then check it with AT, whose OK is the first answer the engine
   * takes again. Only then does the next command go.
   */
  private resync(tries = 0): void {
    this.syncing = true;
    const goOn = (): void => {
      this.syncing = false;
      this.next();
    };
    const check = (): void => {
      this.quiet = undefined;
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.pending = undefined;
        if (tries + 1 < RESYNC_TRIES) this.resync(tries + 1);
        else goOn();
      }, this.timeoutMs);
      this.pending = { command: 'AT', label: 'AT (after a timeout)', lines: [], resolve: goOn, reject: goOn, timer };
      this.stream.write('AT\r');
    };
    this.quiet = { timer: setTimeout(check, this.resyncQuietMs), then: check };
  }

  private next(): void {
    if (this.closed) return;
    (this.foreground.shift() ?? this.background.shift())?.run();
  }

  private onData(text: string): void {
    if (this.quiet) {
      // Not quiet yet: the wait starts again.
      clearTimeout(this.quiet.timer);
      this.quiet.timer = setTimeout(this.quiet.then, this.resyncQuietMs);
    }
    this.buffer += text;
    for (;;) {
      if (this.buffer.length > this.maxLineLength && !/\r|\n/.test(this.buffer.slice(0, this.maxLineLength + 1))) {
        // No line is this long: drop it rather than hold whatever the modem sends.
        if (!this.discarding) this.emit('warning', new SmsError('MODEM_LINE_TOO_LONG', `the modem sent a line longer than ${this.maxLineLength} characters; dropped`));
        this.discarding = true;
        this.buffer = '';
        return;
      }
      const pending = this.pending;
      if (pending?.afterPrompt !== undefined && !pending.prompted) {
        // The prompt, even with a URC after it in the same read (Huawei sticks send ^RSSI there).
        const prompt = /^[\r\n]*> ?/.exec(this.buffer);
        if (prompt) {
          pending.prompted = true;
          this.buffer = this.buffer.slice(prompt[0].length);
          this.stream.write(`${pending.afterPrompt}\x1a`);
          continue;
        }
      }
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) return;
      const line = this.buffer.slice(0, match.index).trim();
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (this.discarding) {
        this.discarding = false; // the tail of the long line
        continue;
      }
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.urcAwaitingPdu) {
      const urc = this.urcAwaitingPdu;
      this.urcAwaitingPdu = undefined;
      urc.pdu = line;
      this.emit('urc', urc);
      return;
    }
    const pending = this.pending;
    if (pending && (line === pending.command || (pending.afterPrompt !== undefined && line.startsWith('>')))) return; // echo, or prompt echo
    const urc = URC.exec(line);
    if (urc && !(pending && pending.command.toUpperCase().startsWith(`AT${urc[1]}`))) {
      const name = urc[1].replace(/^[+^]/, '');
      const event: Urc = { name, line };
      if (WITH_PDU.has(urc[1])) this.urcAwaitingPdu = event;
      else this.emit('urc', event);
      return;
    }
    if (!pending) return; // noise between commands
    const final = FINAL.exec(line);
    if (!final) {
      pending.lines.push(line);
      return;
    }
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (final[1] === 'OK') {
      pending.onOk?.(pending.lines);
      pending.resolve(pending.lines);
    } else if (final[2] !== undefined) pending.reject(cmeError(Number(final[2]), pending.label));
    else if (final[3] !== undefined) pending.reject(cmsError(Number(final[3]), pending.label));
    else pending.reject(new SmsError('MODEM_ERROR', `${pending.label}: the modem answered ${line}`));
    this.next();
  }

  private onClose(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.quiet) clearTimeout(this.quiet.timer);
    this.quiet = undefined;
    const failure = new SmsError('MODEM_CLOSED', `the modem line closed${err ? `: ${err.message}` : ''}`);
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(failure);
      this.pending = undefined;
    }
    for (const queued of [...this.foreground.splice(0), ...this.background.splice(0)]) queued.reject(failure);
    this.emit('close', err);
  }
}
