/**
 * One TCP link to a carrier's gateway, for any dialect: it connects, logs
 * in, keeps at most a window of requests unanswered, sends a request again
 * after T without an answer (N tries in all), tests an idle link, answers the
 * peer's keep-alive and terminate, bounds what waits to be written, and
 * reconnects with back-off. A refused login is tried again only after
 * minutes. What the link cannot finish (a drop with requests unanswered, a
 * request that ran out of tries) it hands back to its owner, the account.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Protocol } from '../codes';
import { SmsError } from '../errors';
import { Body } from '../wire/fields';
import { LinkDialect, Pdu } from './dialect';
import { traceLine } from './trace';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type Delivery = 'at-least-once' | 'at-most-once';

/** Why the link stopped trying for a while (a refused login), and when it tries again. */
export interface RetryError extends SmsError {
  retryAt?: number;
}

export interface LinkOptions {
  host: string;
  port: number;
  /** W: unanswered requests at most */
  window: number;
  /** T: a request unanswered this long is sent again */
  responseTimeoutMs: number;
  /** N: tries in all, and unanswered keep-alive tests before the link is dropped */
  maxTries: number;
  /** C: an idle link is tested this often */
  activeTestIntervalMs: number;
  connectTimeoutMs: number;
  reconnect: { initialMs: number; maxMs: number } | false;
  loginRetryMs: number;
  delivery: Delivery;
  maxWriteBufferBytes: number;
  now: () => number;
  /** gets one line per message in and out, secrets masked (for bringing up a link) */
  trace?: (line: string) => void;
  /** rated requests per second this link may carry (0: no limit); carriers cap each connection */
  ratePerLink?: number;
  /** false for a link that only receives (an SMPP receiver bind): the account sends nothing on it */
  sends?: boolean;
  /** TLS over the TCP connection (SMPP over TLS), with these options (ca, servername...) */
  tls?: tls.ConnectionOptions;
}

/** A request on its way: what the account queued, and what the link needs to track it. */
export interface Sendable {
  command: string;
  body: Body;
  tries: number;
  /** it left at least once: the peer may have it, whatever happens next */
  sent: boolean;
  /** answers to it that could not be read: at two it is set aside */
  unreadableAnswers?: number;
}

interface InFlight<R extends Sendable> {
  request: R;
  /** when T runs out for it */
  deadline: number;
  /** whether it had left before this try (an answer that refuses this try leaves it as it was) */
  sentBefore: boolean;
}

/** Answers to one request that cannot be read before it is set aside: the first drops the link (a glitch), the second is the gateway's fault. */
const UNREADABLE_ANSWERS = 2;

export declare interface Link<R extends Sendable, P extends Pdu> {
  on(event: 'state', listener: (state: LinkState, detail?: Error) => void): this;
  /** the peer answered a request; `sentBefore`: it had left before this try */
  on(event: 'response', listener: (request: R, pdu: P, sentBefore: boolean) => void): this;
  /** a request ends here without an answer: out of tries, or uncertain (at-most-once) */
  on(event: 'unanswered', listener: (request: R, err: SmsError) => void): this;
  /** the link dropped with these requests unanswered, in order; at-least-once: the owner sends them again */
  on(event: 'dropped', listener: (requests: R[]) => void): this;
  /** a request from the peer that the link does not answer itself (a DELIVER) */
  on(event: 'request', listener: (pdu: P) => void): this;
  /** room in the window, or the link came up: the owner may send */
  on(event: 'ready', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export class Link<R extends Sendable = Sendable, P extends Pdu = Pdu> extends EventEmitter {
  private socket?: net.Socket;
  private framer;
  private stateValue: LinkState = 'idle';
  private readonly inflight = new Map<number, InFlight<R>>();
  private sequence = 0;
  private reconnectDelay: number;
  private reconnectTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  private lastTraffic = 0;
  private unansweredTests = 0;
  private login?: { check: ReturnType<LinkDialect<P>['login']>['check']; answer: string; sequenceId: number; timer: NodeJS.Timeout };
  private loginRefused?: SmsError;
  private terminateWaiter?: (pdu: P) => void;
  private lastError?: Error;
  /** frames written in this turn of the event loop: they leave in one write */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  /** one timer for T, at the oldest unanswered request's deadline */
  private deadlineTimer?: NodeJS.Timeout;
  private closing = false;
  /** when the framer began holding an incomplete frame (0: it holds none) */
  private partialSince = 0;
  /** why the link gave up for a while (a refused login) */
  failure?: RetryError;
  /** the link has been up, or tried and failed, at least once */
  settled = false;
  /**
   * A frame that frames but does not decode: true when the owner dealt with
   * it (answered it) and the link can go on; by default the link is dropped.
   */
  undecodable: (frame: Buffer, err: SmsError) => boolean = () => false;

  constructor(
    readonly options: LinkOptions,
    readonly dialect: LinkDialect<P>,
  ) {
    super();
    this.reconnectDelay = options.reconnect ? options.reconnect.initialMs : 0;
    this.framer = dialect.framer();
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** requests sent and not yet answered */
  get unanswered(): number {
    return this.inflight.size;
  }

  /** how many more requests it may send now (0 when down) */
  get room(): number {
    return this.canSend ? this.options.window - this.inflight.size : 0;
  }

  /** up, with room in the window */
  get canSend(): boolean {
    return this.stateValue === 'connected' && this.socket !== undefined && this.inflight.size < this.options.window && this.options.sends !== false;
  }

  private tokens = 0;
  private tokensAt = 0;

  /**
   * Milliseconds until this link may carry one more rated request (0: now).
   * The bucket holds a tenth of a second's worth, so no second carries much
   * more than the rate.
   */
  rateWait(now: number): number {
    const rate = this.options.ratePerLink ?? 0;
    if (rate <= 0) return 0;
    const capacity = Math.max(1, rate / 10);
    if (this.tokensAt === 0) {
      // A fresh link starts with one request's worth, not a burst.
      this.tokens = 1;
      this.tokensAt = now;
    }
    this.tokens = Math.min(capacity, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / rate) * 1000);
  }

  /** Counts one rated request against the link's rate (after rateWait said 0). */
  takeToken(): void {
    if ((this.options.ratePerLink ?? 0) > 0) this.tokens -= 1;
  }

  start(): void {
    if (this.stateValue === 'idle') this.connect();
  }

  /** Sends a request; its outcome comes back as 'response', 'unanswered' or 'dropped'. */
  send(request: R): void {
    const sequenceId = this.nextSequence();
    const wasSent = request.sent;
    request.tries++;
    request.sent = true;
    this.inflight.set(sequenceId, { request, deadline: this.options.now() + this.options.responseTimeoutMs, sentBefore: wasSent });
    if (!this.deadlineTimer) this.armDeadline(this.options.responseTimeoutMs);
    try {
      this.write(request.command, sequenceId, request.body);
    } catch (err) {
      this.inflight.delete(sequenceId);
      request.sent = wasSent; // it never left this time
      throw err;
    }
  }

  /** Answers a request of the peer's (with a status, where the protocol's header has one). */
  reply(command: string, sequenceId: number, body: Body, status?: number): void {
    this.write(command, sequenceId, body, status);
  }

  /**
   * Ends the session (the dialect's terminate, a short wait for its answer)
   * and closes the socket; returns what was still unanswered, in order.
   */
  async close(waitMs = 1000): Promise<R[]> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket && this.stateValue === 'connected') {
      const seq = this.nextSequence();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.terminateWaiter = (pdu) => {
          if (pdu.command === this.dialect.terminate.answer && pdu.sequenceId === seq) {
            clearTimeout(timer);
            resolve();
          }
        };
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        this.write(this.dialect.terminate.command, seq, {});
      });
      this.terminateWaiter = undefined;
    }
    const unanswered = this.takeUnanswered();
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
    this.socket = undefined;
    this.setState('closed');
    return unanswered;
  }

  private setState(state: LinkState, detail?: Error): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state, detail);
  }

  private connect(): void {
    if (this.closing) return;
    this.setState('connecting');
    const { host, port, connectTimeoutMs } = this.options;
    const secure = this.options.tls;
    const socket: net.Socket = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...secure }) : net.connect({ host, port });
    this.socket = socket;
    this.framer = this.dialect.framer();
    socket.setNoDelay(true);
    socket.setTimeout(connectTimeoutMs);
    socket.once('timeout', () => socket.destroy(new SmsError(`${this.dialect.protocol}_CONNECT_TIMEOUT`, `no answer from ${host}:${port} within ${connectTimeoutMs} ms`)));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      this.sendLogin();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.lastError = err;
    });
    socket.once('close', () => this.onClose(socket));
  }

  private sendLogin(): void {
    const login = this.dialect.login();
    const sequenceId = this.nextSequence();
    const timer = setTimeout(() => {
      this.socket?.destroy(new SmsError(`${this.dialect.protocol}_TIMEOUT`, `the gateway did not answer ${login.command} within ${this.options.responseTimeoutMs} ms`));
    }, this.options.responseTimeoutMs);
    this.login = { check: login.check, answer: login.answer, sequenceId, timer };
    try {
      this.write(login.command, sequenceId, login.body);
    } catch (err) {
      // Settings the login cannot carry (a password too long): refused like a login the peer refuses.
      this.loginRefused = err as SmsError;
      this.socket?.destroy();
    }
  }

  private onLoggedIn(): void {
    this.settled = true;
    this.failure = undefined;
    this.unansweredTests = 0;
    this.lastTraffic = this.options.now();
    this.armKeepAlive();
    this.setState('connected');
    this.emit('ready');
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.protocolError(err as Error);
      return;
    }
    // Only whole frames are traffic: bytes swallowed by a frame that never ends do not keep the link alive.
    const now = frames.length || this.framer.pending ? this.options.now() : 0;
    if (frames.length) this.lastTraffic = now;
    if (!this.framer.pending) this.partialSince = 0;
    else if (frames.length || !this.partialSince) this.partialSince = now;
    for (const frame of frames) {
      let pdu: P;
      try {
        pdu = this.dialect.decode(frame);
        this.options.trace?.(traceLine('in', this.dialect.protocol, pdu.command, pdu.sequenceId, pdu.body));
      } catch (err) {
        if (this.undecodable(frame, err as SmsError) || this.unreadableAnswer(frame, err as Error)) continue;
        this.protocolError(err as Error);
        return;
      }
      this.onPdu(pdu);
    }
  }

  /**
   * An answer to one of our requests that frames but cannot be read. The
   * first time the link is dropped and the request sent again (a glitch);
   * the second time the request is set aside with its own code and the link
   * goes on with the rest. Returns true when it was set aside.
   */
  private unreadableAnswer(frame: Buffer, err: Error): boolean {
    const { sequenceId, response } = this.dialect.header(frame);
    const entry = response ? this.inflight.get(sequenceId) : undefined;
    if (!entry) return false;
    const request = entry.request;
    request.unreadableAnswers = (request.unreadableAnswers ?? 0) + 1;
    if (request.unreadableAnswers < UNREADABLE_ANSWERS) return false;
    this.inflight.delete(sequenceId);
    const { protocol } = this.dialect;
    this.emit(
      'unanswered',
      request,
      new SmsError(
        `${protocol}_BAD_ANSWER`,
        `the gateway answered ${protocol}_${request.command} ${request.unreadableAnswers} times with a frame that cannot be read (${err.message}); it is not sent again, and the gateway may or may not have accepted it`,
      ),
    );
    this.emit('ready');
    return true;
  }

  /**
   * The stream is out of step when a frame begun a whole T ago is still not
   * complete (its length announced more than the peer sends): nothing it
   * expects can arrive any more.
   */
  private outOfStep(now: number): boolean {
    if (!this.partialSince || now - this.partialSince < this.options.responseTimeoutMs) return false;
    const { protocol } = this.dialect;
    const err = new SmsError(
      `${protocol}_PROTOCOL`,
      `the gateway's frame announced ${this.framer.announced} octets and only ${this.framer.pending} came in ${this.options.responseTimeoutMs / 1000} s: the stream is out of step; reconnecting`,
    );
    this.partialSince = 0;
    this.emit('error', err);
    this.socket?.destroy(err);
    return true;
  }

  /** The peer sent something that is not its protocol: say so, drop the link, reconnect. */
  private protocolError(err: Error): void {
    const wrapped = new SmsError(`${this.dialect.protocol}_PROTOCOL`, `the gateway sent a malformed frame (${err.message}); reconnecting`);
    this.emit('error', wrapped);
    this.socket?.destroy(wrapped);
  }

  private onPdu(pdu: P): void {
    const login = this.login;
    if (login && pdu.command === login.answer && pdu.sequenceId === login.sequenceId) {
      clearTimeout(login.timer);
      this.login = undefined;
      const outcome = login.check(pdu);
      if (!outcome.ok) {
        this.loginRefused = outcome.error;
        this.socket?.destroy();
        return;
      }
      if (outcome.warning) this.emit('error', outcome.warning);
      this.onLoggedIn();
      return;
    }
    const { keepAlive, terminate } = this.dialect;
    if (pdu.command === keepAlive.command) {
      this.write(keepAlive.answer, pdu.sequenceId, keepAlive.answerBody);
      return;
    }
    if (pdu.command === keepAlive.answer) {
      this.unansweredTests = 0;
      this.working();
      return;
    }
    if (pdu.command === terminate.command) {
      // The answer leaves before the end of the stream: written now, not at the end of this turn.
      this.write(terminate.answer, pdu.sequenceId, {});
      this.flush();
      this.socket?.end();
      return;
    }
    if (pdu.command === terminate.answer) {
      this.terminateWaiter?.(pdu);
      return;
    }
    if (!this.dialect.isResponse(pdu)) {
      this.emit('request', pdu);
      return;
    }
    const entry = this.inflight.get(pdu.sequenceId);
    if (!entry) return; // a late answer to a request already resent or failed
    this.inflight.delete(pdu.sequenceId);
    this.working();
    this.emit('response', entry.request, pdu, entry.sentBefore);
    this.emit('ready');
  }

  /** The peer answered something readable: the link works, and the next drop reconnects without a long wait. */
  private working(): void {
    if (this.options.reconnect) this.reconnectDelay = this.options.reconnect.initialMs;
  }

  /**
   * Requests are kept in the order they were sent, and all have the same T:
   * the first ones are the first to run out. One timer waits for the oldest.
   */
  private armDeadline(ms: number): void {
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        this.expireUnanswered();
      },
      Math.max(1, ms),
    );
  }

  private expireUnanswered(): void {
    const now = this.options.now();
    if (this.outOfStep(now)) return;
    for (const [sequenceId, entry] of this.inflight) {
      if (entry.deadline > now) {
        if (!this.deadlineTimer) this.armDeadline(entry.deadline - now);
        return;
      }
      this.inflight.delete(sequenceId);
      this.onResponseTimeout(entry.request);
    }
  }

  private onResponseTimeout(request: R): void {
    const seconds = this.options.responseTimeoutMs / 1000;
    if (this.options.delivery === 'at-most-once') {
      this.emit('unanswered', request, uncertain(this.dialect.protocol, `the gateway did not answer ${this.dialect.protocol}_${request.command} within ${seconds} s`));
      this.emit('ready');
      return;
    }
    if (request.tries >= this.options.maxTries) {
      this.emit(
        'unanswered',
        request,
        new SmsError(`${this.dialect.protocol}_TIMEOUT`, `the gateway did not answer ${this.dialect.protocol}_${request.command} after ${request.tries} tries, ${seconds} s apart`),
      );
      this.emit('ready');
      return;
    }
    this.send(request);
  }

  private write(command: string, sequenceId: number, body: Body, status?: number): void {
    const socket = this.socket;
    if (!socket) return;
    const frame = this.dialect.encode(command, sequenceId, body, status);
    if (!this.outgoing.length) process.nextTick(() => this.flush());
    this.outgoing.push(frame);
    this.outgoingBytes += frame.length;
    this.options.trace?.(traceLine('out', this.dialect.protocol, command, sequenceId, body));
    if (socket.writableLength + this.outgoingBytes > this.options.maxWriteBufferBytes) {
      // The peer does not read what we write (while it may still send): do not hold it all.
      this.outgoing = [];
      this.outgoingBytes = 0;
      socket.destroy(
        new SmsError(`${this.dialect.protocol}_BACKPRESSURE`, `the gateway stopped reading: more than ${Math.round(this.options.maxWriteBufferBytes / 1024)} KiB waited to be sent; reconnecting`),
      );
    }
  }

  /** Frames written in one turn of the event loop leave in one write (one segment where they fit). */
  private flush(): void {
    const frames = this.outgoing;
    if (!frames.length) return;
    this.outgoing = [];
    const bytes = this.outgoingBytes;
    this.outgoingBytes = 0;
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes));
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= this.dialect.maxSequence ? 1 : this.sequence + 1;
    return this.sequence;
  }

  private armKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    const interval = this.options.activeTestIntervalMs;
    this.keepAliveTimer = setInterval(
      () => {
        if (this.stateValue !== 'connected') return;
        const now = this.options.now();
        if (this.outOfStep(now) || now - this.lastTraffic < interval) return;
        if (this.unansweredTests >= this.options.maxTries) {
          this.socket?.destroy(new SmsError(`${this.dialect.protocol}_KEEPALIVE`, `the gateway did not answer ${this.unansweredTests} ${this.dialect.keepAlive.command}s; reconnecting`));
          return;
        }
        this.unansweredTests++;
        this.write(this.dialect.keepAlive.command, this.nextSequence(), {});
      },
      Math.max(10, Math.floor(interval / 2)),
    );
    this.keepAliveTimer.unref?.();
  }

  /** What was sent and not answered, in the order it was sent; the link forgets it. */
  private takeUnanswered(): R[] {
    const unanswered = [...this.inflight.values()];
    this.inflight.clear();
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    return unanswered.map((e) => e.request);
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.partialSince = 0;
    clearInterval(this.keepAliveTimer);
    if (this.login) {
      clearTimeout(this.login.timer);
      this.login = undefined;
    }
    if (this.closing) return;
    const unanswered = this.takeUnanswered();
    this.settled = true;
    const refused = this.loginRefused;
    this.loginRefused = undefined;
    if (refused) {
      // Trying a refused login again at once could lock the account: wait minutes.
      const retryAt = this.options.now() + this.options.loginRetryMs;
      const failure: RetryError = new SmsError(refused.code, `${refused.message}. Fix the connection settings and deploy; the next try is at ${new Date(retryAt).toISOString()}.`);
      failure.retryAt = retryAt;
      this.failure = failure;
      if (unanswered.length) this.emit('dropped', unanswered);
      this.setState('failed', failure);
      if (this.options.reconnect) this.reconnectTimer = setTimeout(() => this.connect(), this.options.loginRetryMs);
      return;
    }
    const detail = this.lastError ?? new SmsError(`${this.dialect.protocol}_DISCONNECTED`, 'the gateway closed the connection');
    this.lastError = undefined;
    if (unanswered.length) this.emit('dropped', unanswered);
    this.setState('disconnected', detail);
    if (!this.options.reconnect) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.options.reconnect.maxMs, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}

/** The outcome of a request the peer may or may not have taken: it is not sent again. */
export function uncertain(protocol: Protocol, why: string): SmsError {
  return new SmsError(`${protocol}_UNCERTAIN`, `${why}; the gateway may or may not have accepted it, and it is not sent again`);
}
