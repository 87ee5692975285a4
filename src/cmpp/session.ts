/**
 * One CMPP link to an ISMG, with everything the protocol asks of an SP:
 * login, a window of unanswered requests, resend after T (N tries),
 * ACTIVE_TEST on an idle link, answers to every gateway request, and
 * reconnection with back-off. Requests that were in flight when the link
 * dropped are sent again after the next login (at-least-once), or, when the
 * user chose at-most-once, end as uncertain: every request ends with exactly
 * one outcome (its response, or an error), none is lost.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { SmsError } from '../errors';
import { duration } from '../limits';
import { authenticatorIsmg, authenticatorSource, CHINA_UTC_OFFSET_MINUTES, connectTimestamp, sourceAddrOctets } from './auth';
import { CmppPdu, decode, encode, HEADER_LENGTH } from './codec';
import { Body } from './fields';
import { Framer } from './framer';
import { Command, COMMANDS, Version, V3 } from './messages';
import { connectError } from './status';

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
  /** for tests: the clock */
  now?: () => number;
}

export type SessionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type Delivery = 'at-least-once' | 'at-most-once';

/** Why the session stopped trying for a while (a refused login), and when it tries again. */
export interface RetryError extends SmsError {
  retryAt?: number;
}

/** Called at the moment the answer is read, before any frame after it is handled. */
export type OnAnswer = (pdu: CmppPdu) => void;

interface Request {
  command: Command;
  body: Body;
  resolve: (pdu: CmppPdu) => void;
  reject: (err: Error) => void;
  onAnswer?: OnAnswer;
  tries: number;
  /** it left at least once: the gateway may have it, whatever happens next */
  sent: boolean;
  flowRetries: number;
  order: number;
  enqueuedAt: number;
  sequenceId?: number;
  timer?: NodeJS.Timeout;
}

type DeliverAck = (result?: number) => void;

export declare interface CmppSession {
  on(event: 'state', listener: (state: SessionState, detail?: Error) => void): this;
  on(event: 'deliver', listener: (body: Body, ack: DeliverAck) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
}

export class CmppSession extends EventEmitter {
  readonly options: Required<Omit<SessionOptions, 'reconnect' | 'flowControl'>> & {
    reconnect: { initialMs: number; maxMs: number } | false;
    flowControl: { initialMs: number; maxMs: number; retries: number };
  };
  private socket?: net.Socket;
  private framer = new Framer();
  private stateValue: SessionState = 'idle';
  private queue: Request[] = [];
  private inflight = new Map<number, Request>();
  private sequence = 0;
  private order = 0;
  private reconnectDelay: number;
  private reconnectTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  private pumpTimer?: NodeJS.Timeout;
  private queueTimer?: NodeJS.Timeout;
  private lastTraffic = 0;
  private unansweredTests = 0;
  private pausedUntil = 0;
  private tokens: number;
  private tokensAt = 0;
  private login?: { resolve: () => void; reject: (err: Error) => void; source: Buffer; sequenceId: number; timer: NodeJS.Timeout };
  private closing?: Promise<void>;
  /** DELIVER Msg_Ids answered lately, with the Result given: a DELIVER sent again gets the same answer */
  private recentDelivers = new Map<string, number>();
  private everSettled = false;
  private warnedLooseAuthenticator = false;
  private terminateWaiter?: (pdu: CmppPdu) => void;
  private lastError?: Error;
  private loginRefused?: Error;
  /** why the session gave up (a refused login): every later request fails with it */
  private failure?: Error;
  private corked = false;

  constructor(options: SessionOptions) {
    super();
    const reconnect = options.reconnect === false ? false : { initialMs: 1000, maxMs: 30000, ...(options.reconnect ?? {}) };
    this.options = {
      version: V3,
      window: 16,
      responseTimeoutMs: 60000,
      maxTries: 3,
      activeTestIntervalMs: 180000,
      connectTimeoutMs: 10000,
      utcOffsetMinutes: CHINA_UTC_OFFSET_MINUTES,
      ratePerSecond: 0,
      maxQueue: 10000,
      queueTimeoutMs: 60000,
      failWhenDown: false,
      delivery: 'at-least-once',
      loginRetryMs: 300000,
      acceptLooseAuthenticator: false,
      maxWriteBufferBytes: 4 * 1024 * 1024,
      now: Date.now,
      ...options,
      reconnect,
      flowControl: { initialMs: 500, maxMs: 10000, retries: 20, ...(options.flowControl ?? {}) },
    };
    this.reconnectDelay = reconnect ? reconnect.initialMs : 0;
    this.tokens = this.options.ratePerSecond;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** requests waiting to be sent plus those awaiting an answer */
  get depth(): number {
    return this.queue.length + this.inflight.size;
  }

  /** Opens the link and logs in; resolves on the first successful login. */
  start(): Promise<void> {
    if (this.stateValue !== 'idle') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (state: SessionState, detail?: Error): void => {
        if (state === 'connected') {
          this.off('state', onState);
          resolve();
        } else if (state === 'failed' || state === 'closed' || (state === 'disconnected' && !this.options.reconnect)) {
          this.off('state', onState);
          reject(detail ?? new SmsError('CMPP_CLOSED', 'CMPP link closed before login'));
        }
      };
      this.on('state', onState);
      this.connect();
    });
  }

  /**
   * Sends a request when the window allows; resolves with the gateway's
   * response. `onAnswer` sees the response synchronously, before any frame
   * read after it (a status report in the same TCP read) is handled.
   */
  request(command: Command, body: Body = {}, onAnswer?: OnAnswer): Promise<CmppPdu> {
    if (this.stateValue === 'closed' || this.closing) return Promise.reject(new SmsError('CMPP_CLOSED', 'the CMPP connection is closed'));
    if (this.stateValue === 'failed' && this.failure) return Promise.reject(this.failure);
    if (this.options.failWhenDown && this.everSettled && this.stateValue !== 'connected') {
      return Promise.reject(new SmsError('CMPP_NOT_CONNECTED', `not sent: the CMPP link to ${this.options.host}:${this.options.port} is down (the connection is set to fail at once while down)`));
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new SmsError('CMPP_QUEUE_FULL', `the CMPP send queue is full (${this.options.maxQueue} waiting); the gateway is slower than the flow, slow the flow down or raise the queue size`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, body, resolve, reject, onAnswer, tries: 0, sent: false, flowRetries: 0, order: this.order++, enqueuedAt: this.options.now() });
      this.emit('queue', this.depth);
      this.armQueueTimer();
      this.pump();
    });
  }

  /** Sends TERMINATE, waits briefly for its answer, and fails whatever is still waiting. */
  close(waitMs = 1000): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      clearTimeout(this.reconnectTimer);
      const socket = this.socket;
      if (socket && this.stateValue === 'connected') {
        const seq = this.nextSequence();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          const onFrame = (pdu: CmppPdu): void => {
            if (pdu.command === 'TERMINATE_RESP' && pdu.sequenceId === seq) {
              clearTimeout(timer);
              resolve();
            }
          };
          this.terminateWaiter = onFrame;
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          this.write('TERMINATE', seq, {});
        });
        this.terminateWaiter = undefined;
      }
      this.failAll(new SmsError('CMPP_CLOSED', 'the CMPP connection was closed before this message was sent'), uncertain('the CMPP connection was closed while this message waited for the gateway\'s answer'));
      this.teardown();
      this.setState('closed');
    })();
    return this.closing;
  }

  private setState(state: SessionState, detail?: Error): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state, detail);
  }

  private connect(): void {
    if (this.closing) return;
    this.setState('connecting');
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    this.framer = new Framer();
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs);
    socket.once('timeout', () => socket.destroy(new SmsError('CMPP_CONNECT_TIMEOUT', `no answer from ${this.options.host}:${this.options.port} within ${this.options.connectTimeoutMs} ms`)));
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.sendConnect();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.lastError = err;
    });
    socket.once('close', () => this.onClose(socket));
  }

  private sendConnect(): void {
    const { spId, sharedSecret, version, utcOffsetMinutes } = this.options;
    const timestamp = connectTimestamp(this.options.now(), utcOffsetMinutes);
    const source = authenticatorSource(spId, sharedSecret, timestamp.text);
    const sequenceId = this.nextSequence();
    const timer = setTimeout(() => {
      this.socket?.destroy(new SmsError('CMPP_TIMEOUT', `the gateway did not answer CONNECT within ${this.options.responseTimeoutMs} ms`));
    }, this.options.responseTimeoutMs);
    this.login = {
      source,
      sequenceId,
      timer,
      resolve: () => this.onLoggedIn(),
      reject: (err) => {
        this.loginRefused = err;
        this.socket?.destroy();
      },
    };
    this.write('CONNECT', sequenceId, {
      sourceAddr: sourceAddrOctets(spId).toString('latin1').replace(/\0+$/, ''),
      authenticatorSource: source,
      version,
      timestamp: timestamp.value,
    });
  }

  private onLoggedIn(): void {
    this.everSettled = true;
    this.failure = undefined;
    this.reconnectDelay = this.options.reconnect ? this.options.reconnect.initialMs : 0;
    this.unansweredTests = 0;
    this.lastTraffic = this.options.now();
    this.armKeepAlive();
    this.setState('connected');
    this.pump();
  }

  private onData(chunk: Buffer): void {
    this.lastTraffic = this.options.now();
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.protocolError(err as Error);
      return;
    }
    for (const frame of frames) {
      let pdu: CmppPdu;
      try {
        pdu = decode(frame, this.options.version);
      } catch (err) {
        if (this.undecodable(frame, err as SmsError)) continue;
        this.protocolError(err as Error);
        return;
      }
      this.onPdu(pdu);
    }
  }

  /**
   * A well-framed message that does not decode. A DELIVER is answered with
   * DELIVER_RESP Result 4 (length) or 1 (structure), so that the gateway does
   * not send it again for ever; an unknown Command_Id is skipped. Returns
   * false when the link cannot go on (a broken answer to our own request).
   */
  private undecodable(frame: Buffer, err: SmsError): boolean {
    const commandId = frame.readUInt32BE(4);
    if (err.field === 'Command_Id') {
      this.emit('error', new SmsError('CMPP_UNKNOWN_COMMAND', `the gateway sent Command_Id 0x${commandId.toString(16).padStart(8, '0')}, which is not CMPP ${this.options.version === V3 ? '3.0' : '2.0'}; skipped`));
      return true;
    }
    if (commandId !== COMMANDS.DELIVER) return false;
    const msgId = frame.length >= HEADER_LENGTH + 8 ? frame.readBigUInt64BE(HEADER_LENGTH).toString() : '0';
    const result = err.field === 'Msg_Content' || err.field === 'Total_Length' ? 4 : 1;
    if (!this.recentDelivers.has(msgId)) {
      this.emit('error', new SmsError('CMPP_BAD_DELIVER', `the gateway sent a DELIVER (Msg_Id ${msgId}) that could not be read (${err.message}); answered with Result ${result} and dropped`));
    }
    this.answerDeliver(msgId, frame.readUInt32BE(8), result);
    return true;
  }

  /** The gateway sent something that is not CMPP: say so, drop the link, reconnect. */
  private protocolError(err: Error): void {
    const wrapped = new SmsError('CMPP_PROTOCOL', `the gateway sent a malformed frame (${err.message}); reconnecting`);
    this.emit('error', wrapped);
    this.socket?.destroy(wrapped);
  }

  private onPdu(pdu: CmppPdu): void {
    const login = this.login;
    if (login && pdu.command === 'CONNECT_RESP' && pdu.sequenceId === login.sequenceId) {
      clearTimeout(login.timer);
      this.login = undefined;
      const status = Number(pdu.body.status);
      if (status !== 0) {
        login.reject(connectError(status));
        return;
      }
      const expected = authenticatorIsmg(0, login.source, this.options.sharedSecret, this.options.version);
      if (!expected.equals(pdu.body.authenticatorIsmg as Buffer)) {
        if (!this.options.acceptLooseAuthenticator) {
          login.reject(new SmsError('CMPP_AUTH', 'CMPP login failed: the gateway\'s AuthenticatorISMG does not match; the shared secret differs from the gateway\'s, or this is not the expected gateway (if the gateway is known to fill it loosely, turn on "accept a loose AuthenticatorISMG")'));
          return;
        }
        if (!this.warnedLooseAuthenticator) {
          this.warnedLooseAuthenticator = true;
          this.emit('error', new SmsError('CMPP_LOOSE_AUTHENTICATOR', `the gateway at ${this.options.host}:${this.options.port} answered CONNECT with an AuthenticatorISMG that does not match; accepted, as the connection is set to`));
        }
      }
      login.resolve();
      return;
    }
    switch (pdu.command) {
      case 'ACTIVE_TEST':
        this.write('ACTIVE_TEST_RESP', pdu.sequenceId, { reserved: 0 });
        return;
      case 'ACTIVE_TEST_RESP':
        this.unansweredTests = 0;
        return;
      case 'TERMINATE':
        this.write('TERMINATE_RESP', pdu.sequenceId, {});
        this.socket?.end();
        return;
      case 'TERMINATE_RESP':
        this.terminateWaiter?.(pdu);
        return;
      case 'DELIVER':
        this.onDeliver(pdu);
        return;
      default:
        break;
    }
    if (!pdu.command.endsWith('_RESP')) {
      // A request we do not serve (an SP is not a router): answer nothing, note it.
      this.emit('error', new SmsError('CMPP_UNEXPECTED', `the gateway sent CMPP_${pdu.command}, which an SP does not handle; ignored`));
      return;
    }
    const request = this.inflight.get(pdu.sequenceId);
    if (!request) return; // a late answer to a request already resent or failed
    clearTimeout(request.timer);
    this.inflight.delete(pdu.sequenceId);
    if (pdu.command === 'SUBMIT_RESP' && Number(pdu.body.result) === 8) {
      this.flowControlled(request);
    } else {
      try {
        request.onAnswer?.(pdu);
      } catch (err) {
        this.emit('error', err as Error);
      }
      request.resolve(pdu);
    }
    this.emit('queue', this.depth);
    this.pump();
  }

  private answerDeliver(msgId: string, sequenceId: number, result: number): void {
    this.recentDelivers.delete(msgId);
    this.recentDelivers.set(msgId, result);
    if (this.recentDelivers.size > 10000) this.recentDelivers.delete(this.recentDelivers.keys().next().value as string);
    this.write('DELIVER_RESP', sequenceId, { msgId, result });
  }

  private onDeliver(pdu: CmppPdu): void {
    const msgId = String(pdu.body.msgId);
    const ack: DeliverAck = (result = 0) => this.answerDeliver(msgId, pdu.sequenceId, result);
    const earlier = this.recentDelivers.get(msgId);
    if (earlier !== undefined || this.listenerCount('deliver') === 0) {
      // Seen before: our answer was lost and the gateway sent it again. It gets the same answer.
      ack(earlier ?? 0);
      return;
    }
    let answered = false;
    this.emit('deliver', pdu.body, (result?: number) => {
      if (answered) return;
      answered = true;
      ack(result);
    });
  }

  private flowControlled(request: Request): void {
    const { initialMs, maxMs, retries } = this.options.flowControl;
    request.flowRetries++;
    if (request.flowRetries > retries) {
      request.reject(new SmsError('CMPP_FLOW_CONTROL', `the gateway kept answering "flow control" (Result 8) after ${retries} retries; lower the send rate`));
      return;
    }
    const wait = Math.min(maxMs, initialMs * 2 ** (request.flowRetries - 1));
    this.pausedUntil = Math.max(this.pausedUntil, this.options.now() + wait);
    request.tries = 0;
    this.requeue([request]);
  }

  private requeue(requests: Request[]): void {
    this.queue.unshift(...requests.sort((a, b) => a.order - b.order));
    this.queue.sort((a, b) => a.order - b.order);
  }

  private pump(): void {
    if (this.stateValue !== 'connected' || !this.socket) return;
    const { window, ratePerSecond } = this.options;
    while (this.queue.length && this.inflight.size < window) {
      const now = this.options.now();
      if (now < this.pausedUntil) {
        this.schedulePump(this.pausedUntil - now);
        return;
      }
      const request = this.queue[0];
      if (ratePerSecond > 0 && request.command === 'SUBMIT') {
        this.refill(now);
        if (this.tokens < 1) {
          this.schedulePump(Math.ceil(((1 - this.tokens) / ratePerSecond) * 1000));
          return;
        }
        this.tokens -= 1;
      }
      this.queue.shift();
      this.transmit(request);
    }
  }

  private refill(now: number): void {
    const rate = this.options.ratePerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
  }

  private schedulePump(ms: number): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, Math.max(1, ms));
  }

  private transmit(request: Request): void {
    const sequenceId = this.nextSequence();
    request.sequenceId = sequenceId;
    request.tries++;
    request.sent = true;
    this.inflight.set(sequenceId, request);
    request.timer = setTimeout(() => this.onResponseTimeout(request, sequenceId), this.options.responseTimeoutMs);
    try {
      this.write(request.command, sequenceId, request.body);
    } catch (err) {
      clearTimeout(request.timer);
      this.inflight.delete(sequenceId);
      request.reject(err as Error);
    }
  }

  private onResponseTimeout(request: Request, sequenceId: number): void {
    if (this.inflight.get(sequenceId) !== request) return;
    this.inflight.delete(sequenceId);
    if (this.options.delivery === 'at-most-once') {
      request.reject(uncertain(`the gateway did not answer CMPP_${request.command} within ${this.options.responseTimeoutMs / 1000} s`));
      this.emit('queue', this.depth);
      this.pump();
      return;
    }
    if (request.tries >= this.options.maxTries) {
      const seconds = this.options.responseTimeoutMs / 1000;
      request.reject(new SmsError('CMPP_TIMEOUT', `the gateway did not answer CMPP_${request.command} after ${request.tries} tries, ${seconds} s apart`));
      this.emit('queue', this.depth);
      this.pump();
      return;
    }
    this.transmit(request);
  }

  private write(command: Command, sequenceId: number, body: Body): void {
    const socket = this.socket;
    if (!socket) return;
    // Frames written in one turn of the event loop leave in one segment.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(encode({ command, sequenceId, body }, this.options.version));
    if (socket.writableLength > this.options.maxWriteBufferBytes) {
      // The gateway does not read what we write (while it may still send): do not hold it all.
      socket.destroy(new SmsError('CMPP_BACKPRESSURE', `the gateway stopped reading: more than ${Math.round(this.options.maxWriteBufferBytes / 1024)} KiB waited to be sent; reconnecting`));
    }
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0xffffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  private armKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    const interval = this.options.activeTestIntervalMs;
    this.keepAliveTimer = setInterval(() => {
      if (this.stateValue !== 'connected') return;
      if (this.options.now() - this.lastTraffic < interval) return;
      if (this.unansweredTests >= this.options.maxTries) {
        this.socket?.destroy(new SmsError('CMPP_KEEPALIVE', `the gateway did not answer ${this.unansweredTests} ACTIVE_TESTs; reconnecting`));
        return;
      }
      this.unansweredTests++;
      this.write('ACTIVE_TEST', this.nextSequence(), {});
    }, Math.max(10, Math.floor(interval / 2)));
    this.keepAliveTimer.unref?.();
  }

  private armQueueTimer(): void {
    const limit = this.options.queueTimeoutMs;
    if (!limit || this.queueTimer) return;
    this.queueTimer = setInterval(() => {
      const now = this.options.now();
      const expired = this.queue.filter((r) => now - r.enqueuedAt >= limit && r.tries === 0);
      if (expired.length) {
        const gone = new Set(expired);
        this.queue = this.queue.filter((r) => !gone.has(r));
        const why = this.stateValue === 'connected' ? 'the gateway was too slow' : 'the gateway could not be reached';
        for (const r of expired) {
          r.reject(r.sent
            ? uncertain(`it was sent once, the link dropped before the answer, and it could not be sent again within ${duration(limit)} (${why})`)
            : new SmsError('CMPP_QUEUE_TIMEOUT', `not sent within ${duration(limit)}: ${why}`));
        }
        this.emit('queue', this.depth);
      }
      if (!this.queue.length) {
        clearInterval(this.queueTimer);
        this.queueTimer = undefined;
      }
    }, Math.max(10, Math.min(limit / 4, 1000)));
    this.queueTimer.unref?.();
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    clearInterval(this.keepAliveTimer);
    if (this.login) {
      clearTimeout(this.login.timer);
      this.login = undefined;
    }
    // What was in flight goes back to the head of the queue, in its order
    // (at-least-once), or ends as uncertain (at-most-once).
    const unanswered = [...this.inflight.values()];
    this.inflight.clear();
    for (const r of unanswered) clearTimeout(r.timer);
    if (this.options.delivery === 'at-most-once') {
      const why = uncertain('the CMPP link dropped after this message was sent and before the gateway answered');
      for (const r of unanswered) r.reject(why);
      if (unanswered.length) this.emit('queue', this.depth);
    } else {
      for (const r of unanswered) r.tries = 0;
      this.requeue(unanswered);
    }
    if (this.closing) return;
    this.everSettled = true;
    const refused = this.loginRefused;
    this.loginRefused = undefined;
    if (refused) {
      // Trying a refused login again at once could lock the account: wait minutes.
      const retryAt = this.options.now() + this.options.loginRetryMs;
      const failure: RetryError = new SmsError((refused as SmsError).code ?? 'CMPP_AUTH', `${refused.message}. Fix the connection settings and deploy; the next try is at ${new Date(retryAt).toISOString()}.`);
      failure.retryAt = retryAt;
      this.failure = failure;
      this.failAll(failure, failure);
      this.setState('failed', failure);
      if (this.options.reconnect) this.reconnectTimer = setTimeout(() => this.connect(), this.options.loginRetryMs);
      return;
    }
    const detail = refused ?? this.lastError ?? new SmsError('CMPP_DISCONNECTED', 'the gateway closed the connection');
    this.lastError = undefined;
    this.setState('disconnected', detail);
    if (!this.options.reconnect) {
      const dropped = new SmsError('CMPP_DISCONNECTED', `the CMPP link dropped: ${detail.message}`);
      this.failAll(dropped, uncertain(`the CMPP link dropped (${detail.message}) after this message was sent`));
      return;
    }
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.options.reconnect.maxMs, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Fails everything waiting: `unsent` for what never left, `maybeSent` for what the gateway may have. */
  private failAll(unsent: Error, maybeSent: Error): void {
    const all = [...this.inflight.values(), ...this.queue];
    this.inflight.clear();
    this.queue = [];
    for (const r of all) {
      clearTimeout(r.timer);
      r.reject(r.sent ? maybeSent : unsent);
    }
    if (all.length) this.emit('queue', 0);
  }

  private teardown(): void {
    clearInterval(this.keepAliveTimer);
    clearInterval(this.queueTimer);
    clearTimeout(this.pumpTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** The outcome of a message the gateway may or may not have taken: it is not sent again. */
export function uncertain(why: string): SmsError {
  return new SmsError('CMPP_UNCERTAIN', `${why}; the gateway may or may not have accepted it, and it is not sent again`);
}
