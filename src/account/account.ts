/**
 * A carrier account: what the user sent and the carrier has not yet
 * answered (the outbox), the send rate, the flow-control pause, how long a
 * message may wait, and the links that carry it. The outbox holds plain
 * records (what a store can keep); the promises that answer the sender are
 * kept beside them in memory. Every request ends with exactly one outcome.
 */
import { EventEmitter } from 'node:events';
import type { Protocol } from '../codes';
import { SmsError } from '../errors';
import { duration } from '../limits';
import { Pdu } from '../link/dialect';
import { Link, LinkState, Sendable, uncertain } from '../link/link';
import { Outbox, OutboxEntry } from '../store/store';
import { OrderedQueue } from './queue';
import { Body } from '../wire/fields';

export interface AccountOptions {
  /** messages per second at most (0: no limit); over it they wait in the queue */
  ratePerSecond: number;
  /** the command the rate applies to (SUBMIT) */
  ratedCommand: string;
  maxQueue: number;
  /** requests waiting in memory at most: beyond, a store that can park (see Parking) keeps the new ones on disk alone */
  queueInMemory: number;
  /** a request still unsent after this long fails (0: wait for ever) */
  queueTimeoutMs: number;
  failWhenDown: boolean;
  /** waits between retries of a flow-controlled request, and how many retries */
  flowControl: { initialMs: number; maxMs: number; retries: number };
  now: () => number;
}

/** Who waits for a record, kept on it under a symbol: a store writes what JSON writes, and JSON leaves symbols out. */
const WAITER = Symbol('waiter');
/** its first leaving is written down already (this turn, or one before) */
const LEAVING = Symbol('leaving');

/** One message in the outbox: plain data, so that a store can keep it. */
export interface OutboxRecord extends Sendable, OutboxEntry {
  [WAITER]?: Waiter<never>;
  [LEAVING]?: boolean;
}

/** Reads parked requests back: those above id `after`, about `limit` of them, each resumed; says the highest id read and how many parked requests it took up. */
export type Unparker = (after: number, limit: number) => Promise<{ last: number; taken: number }>;

/** parked requests read back at a time: a few milliseconds of the event loop */
const UNPARK_WINDOW = 500;
/** the wait before parked requests are read again after the store could not be read */
const UNPARK_RETRY_MS = 1000;

/** Called at the moment the answer is read, before any frame after it is handled. */
export type OnAnswer<P> = (pdu: P) => void;

/**
 * Who waits for a request's outcome, told exactly once: `answered` at the
 * moment the answer is read (before any frame after it is handled), or
 * `failed`. Clients give one object per message part instead of a promise.
 */
export interface Waiter<P> {
  answered(pdu: P): void;
  failed(err: Error): void;
}

/** What a request belongs to: its message's key and what the answer needs, kept with it in the outbox. */
export interface RequestOf {
  message: string;
  meta: unknown;
}

/** A promise's waiter: `onAnswer` sees the answer synchronously, the promise's reactions later. */
class Settling<P> implements Waiter<P> {
  constructor(
    private readonly resolve: (pdu: P) => void,
    readonly failed: (err: Error) => void,
    private readonly onAnswer?: OnAnswer<P>,
  ) {}

  answered(pdu: P): void {
    this.resolve(pdu);
    this.onAnswer?.(pdu);
  }
}

/** What the dialect says an answer means to the account. */
export interface AccountDialect<P extends Pdu> {
  protocol: Protocol;
  /** "slow down and try again" (CMPP Result 8) */
  isFlowControl(pdu: P): boolean;
  /** how that answer is named to a user: "SUBMIT_RESP Result 8 (flow control)" */
  flowControlAnswer: string;
}

// The merged interface names the class's type parameter, though its events do not use it.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export declare interface Account<P extends Pdu> {
  on(event: 'state', listener: (state: LinkState, detail?: Error) => void): this;
  on(event: 'queue', listener: (depth: number) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export class Account<P extends Pdu = Pdu> extends EventEmitter {
  /** waiting to be sent, in order */
  private readonly queue = new OrderedQueue<OutboxRecord>();
  private nextId = 0;
  private stateValue: LinkState = 'idle';
  private pausedUntil = 0;
  private tokens: number;
  private tokensAt = 0;
  private pumpTimer?: NodeJS.Timeout;
  /** what pickLink found when no link could take a request now: how long until one can (0: none has room) */
  private linkWait = 0;
  private queueTimer?: NodeJS.Timeout;
  private queueNotice?: NodeJS.Immediate;
  private closing?: Promise<void>;
  /** requests made while the store's kept ones are not yet taken up: queued after them, with ids that follow theirs */
  private held?: Array<[command: string, body: Body, waiter: Waiter<P>, of: RequestOf | undefined]>;
  /** reads parked requests back; none when the store cannot park */
  private unparker?: Unparker;
  /** requests the store keeps alone, not yet read back */
  private parkedCount = 0;
  /** the store has been read up to this id */
  private parkedAfter = -1;
  /** a window is being read back, or will be at the next turn */
  private unparking = false;
  /** the links failed for good: what is read back fails as what waited in memory did */
  private failedWith?: [unsent: Error, maybeSent: Error];

  constructor(
    readonly accountOptions: AccountOptions,
    readonly links: Array<Link<OutboxRecord, P>>,
    private readonly dialect: AccountDialect<P>,
    private readonly outbox: Outbox,
  ) {
    super();
    this.tokens = accountOptions.ratePerSecond;
    for (const link of links) this.attach(link);
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** requests waiting to be sent plus those awaiting an answer */
  get depth(): number {
    return this.waiting + this.inFlight;
  }

  /** requests not yet sent: in memory, held until the store is read, and parked in the store alone */
  private get waiting(): number {
    return this.queue.length + (this.held?.length ?? 0) + this.parkedCount;
  }

  /** requests the store keeps alone (parked), not yet read back */
  get parked(): number {
    return this.parkedCount;
  }

  /** A new message should be parked (see park()): the queue in memory is full, or parked ones are ahead of it. */
  get parking(): boolean {
    return this.unparker !== undefined && !this.held && (this.parkedCount > 0 || this.queue.length >= this.accountOptions.queueInMemory);
  }

  /** messages sent and not yet answered */
  get inFlight(): number {
    let n = 0;
    for (const link of this.links) n += link.unanswered;
    return n;
  }

  /** Opens the links; resolves on the first successful login. */
  start(): Promise<void> {
    if (this.stateValue !== 'idle') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (state: LinkState, detail?: Error): void => {
        if (state === 'connected') {
          this.off('state', onState);
          resolve();
        } else if (state === 'failed' || state === 'closed' || (state === 'disconnected' && !this.links[0].options.reconnect)) {
          this.off('state', onState);
          reject(detail ?? new SmsError(`${this.dialect.protocol}_CLOSED`, `${this.dialect.protocol} link closed before login`));
        }
      };
      this.on('state', onState);
      for (const link of this.links) link.start();
    });
  }

  /**
   * Queues a request; resolves with the peer's answer. `onAnswer` sees the
   * answer synchronously, before any frame read after it is handled.
   */
  request(command: string, body: Body = {}, onAnswer?: OnAnswer<P>, of?: RequestOf): Promise<P> {
    return new Promise((resolve, reject) => this.enqueue(command, body, new Settling(resolve, reject, onAnswer), of));
  }

  /** Queues a request for `waiter`; a request that cannot be queued fails at once. */
  enqueue(command: string, body: Body, waiter: Waiter<P>, of?: RequestOf): void {
    const refused = this.refusal();
    if (refused) {
      waiter.failed(refused);
      return;
    }
    if (this.held) {
      this.held.push([command, body, waiter, of]);
      this.queueChanged();
      return;
    }
    const record: OutboxRecord = {
      id: this.nextId++,
      command,
      body,
      tries: 0,
      sent: false,
      flowRetries: 0,
      enqueuedAt: this.accountOptions.now(),
      message: of?.message,
      meta: of?.meta,
      [WAITER]: waiter,
    };
    this.outbox.add(record);
    this.queue.push(record);
    this.queueChanged();
    this.armQueueTimer();
    this.pump();
  }

  /** Why a new request cannot be queued now, if it cannot. */
  private refusal(): Error | undefined {
    const { protocol } = this.dialect;
    if (this.stateValue === 'closed' || this.closing) return new SmsError(`${protocol}_CLOSED`, `the ${protocol} connection is closed`);
    const failure = this.stateValue === 'failed' ? this.links.find((l) => l.failure)?.failure : undefined;
    if (failure) return failure;
    if (this.accountOptions.failWhenDown && this.stateValue !== 'connected' && this.links.every((l) => l.settled)) {
      const where = this.links.map((l) => `${l.options.host}:${l.options.port}`).join(', ');
      return new SmsError(`${protocol}_NOT_CONNECTED`, `not sent: the ${protocol} link to ${where} is down (the connection is set to fail at once while down)`);
    }
    if (this.waiting >= this.accountOptions.maxQueue) {
      return new SmsError(
        `${protocol}_QUEUE_FULL`,
        `the ${protocol} send queue is full (${this.accountOptions.maxQueue} waiting); the gateway is slower than the flow, slow the flow down or raise the queue size`,
      );
    }
    return undefined;
  }

  /**
   * Takes back the messages whose every part still waits unsent in the
   * queue and that `parts` names (it gives how many parts such a message has
   * left, or undefined to keep it): each part fails with `why`, and a route
   * gives the message to another channel. A part that may have left (sent
   * before a drop, in flight) keeps its message here.
   */
  withdraw(parts: (message: string) => number | undefined, why: Error): number {
    const unsent = new Map<string, number>();
    for (const r of this.queue) if (r.message !== undefined) unsent.set(r.message, (unsent.get(r.message) ?? 0) + (r.sent ? -Infinity : 1));
    const taken = new Set<string>();
    for (const [message, count] of unsent) if (count > 0 && parts(message) === count) taken.add(message);
    if (!taken.size) return 0;
    const records = this.queue.removeWhere((r) => r.message !== undefined && taken.has(r.message));
    for (const r of records) this.take(r)?.failed(why);
    this.queueChanged();
    return taken.size;
  }

  /**
   * From now until `takeNew()`, new requests wait: the requests a store kept
   * across a restart are taken up first. An id a new request took before
   * then could be one a kept request has, and writing it would overwrite
   * that request in the store: a message lost.
   */
  holdNew(): void {
    this.held ??= [];
  }

  /** The kept requests are taken up (their ids known): the new ones that waited are queued, in the order they came. */
  takeNew(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [command, body, waiter, of] of held) this.enqueue(command, body, waiter, of);
  }

  /** The store can park: `unparker` reads parked requests back when the queue in memory runs low. */
  parkWith(unparker: Unparker): void {
    this.unparker = unparker;
  }

  /**
   * Queues a request in the store alone: nothing of it stays in memory (no
   * waiter: its outcome goes where a kept request's goes after a restart).
   * It is read back, in its order, when the queue in memory runs low.
   */
  park(command: string, body: Body, of: RequestOf): void {
    const refused = this.refusal();
    if (refused) throw refused;
    if (!this.parkedCount) this.parkedAfter = this.nextId - 1;
    const entry: OutboxEntry = { id: this.nextId++, command, body, tries: 0, sent: false, flowRetries: 0, enqueuedAt: this.accountOptions.now(), message: of.message, meta: of.meta, parked: true };
    this.outbox.add(entry);
    this.parkedCount++;
    this.queueChanged();
  }

  /** After a restart: the store keeps `count` requests, up to id `last`, to be read back a window at a time. */
  keptParked(count: number, last: number): void {
    this.nextId = Math.max(this.nextId, last + 1);
    this.parkedCount += count;
    this.parkedAfter = -1;
    this.queueChanged();
    this.unpark();
  }

  /**
   * Reads the next window of parked requests back when the queue in memory
   * is below half of what it may hold (or, the account failed, to give
   * each its outcome). A window at a time, each at a turn of the event loop
   * of its own: reading a million back never holds the loop up.
   */
  private unpark(): void {
    const unparker = this.unparker;
    if (!unparker || this.unparking || this.parkedCount <= 0 || this.closing) return;
    const { queueInMemory } = this.accountOptions;
    if (!this.failedWith && !this.behindParked && this.queue.length >= Math.ceil(queueInMemory / 2)) return;
    this.unparking = true;
    setImmediate(() => this.readParked(unparker, Math.max(1, Math.min(UNPARK_WINDOW, Math.ceil(queueInMemory / 2)))));
  }

  /** The next request in memory came after parked ones not yet read back (sent, not parked, while they waited; or after a restart): it waits for them. */
  private get behindParked(): boolean {
    const next = this.queue.peek();
    return next !== undefined && this.parkedCount > 0 && next.id > this.parkedAfter;
  }

  private readParked(unparker: Unparker, window: number): void {
    if (this.closing) {
      this.unparking = false;
      return;
    }
    unparker(this.parkedAfter, window).then(
      ({ last, taken }) => {
        this.unparking = false;
        // Nothing above the last id read: whatever the count said, nothing is left to read.
        this.parkedCount = last === this.parkedAfter ? 0 : Math.max(0, this.parkedCount - taken);
        this.parkedAfter = last;
        this.queueChanged();
        if (this.failedWith) this.failAll(...this.failedWith);
        this.pump();
      },
      (err) => {
        // The store cannot be read now (a full disk: what it gathered is not in the file yet, and the store says so itself): tried again a little later.
        if ((err as SmsError).code !== 'STORE_WRITE') this.emit('error', err);
        setTimeout(() => {
          this.unparking = false;
          this.unpark();
        }, UNPARK_RETRY_MS).unref?.();
      },
    );
  }

  /**
   * Takes up a record the outbox kept across a restart, in its place in the
   * order. One that had left is sent again (at-least-once) or ends as
   * uncertain (at-most-once); its queue wait starts afresh.
   */
  resume(entry: OutboxEntry, waiter: Waiter<P>): void {
    if (this.closing) return; // read back as the account closed: it stays in the store for the next start
    this.nextId = Math.max(this.nextId, entry.id + 1);
    // A parked request of this run keeps its wait since it was accepted; one from before a restart starts afresh.
    const record: OutboxRecord = { ...entry, tries: 0, enqueuedAt: entry.parked ? entry.enqueuedAt : this.accountOptions.now(), [WAITER]: waiter };
    if (record.sent && this.links[0]?.options.delivery === 'at-most-once') {
      this.take(record)?.failed(uncertain(this.dialect.protocol, 'it was sent before a restart and its answer never came'));
      return;
    }
    // Parked past its wait: it fails as it is read back, not at the next tick of the queue timer.
    if (this.expired(record, this.accountOptions.now())) {
      this.take(record)?.failed(this.expiry(record));
      this.queueChanged();
      return;
    }
    // Kept as it was in the store: its tries and wait start afresh in memory, not rewritten (a million taken up are not a million writes).
    this.queue.requeue([record]);
    this.armQueueTimer();
    this.pump();
  }

  /**
   * Ends every link's session. What still waits is failed (`CLOSED` if it
   * never left, `UNCERTAIN` if the peer may have it), or, with `keep`, left
   * in the outbox for the next start to take up (a durable store across a
   * redeploy); its promises then never settle.
   */
  close(waitMs = 1000, keep = false): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      // A client never started (its store never read): these never reached the outbox, and fail here.
      const held = this.held ?? [];
      this.held = undefined;
      for (const [, , waiter] of held) waiter.failed(new SmsError(`${this.dialect.protocol}_CLOSED`, `the ${this.dialect.protocol} connection was closed before this message was sent`));
      const unanswered = (await Promise.all(this.links.map((l) => l.close(waitMs)))).flat();
      this.queue.requeue(unanswered);
      const { protocol } = this.dialect;
      if (keep) {
        // Nobody is told: the next start takes them up.
        for (const r of this.queue.drain()) {
          r[WAITER] = undefined;
          this.outbox.update(r);
        }
      }
      this.failAll(
        new SmsError(`${protocol}_CLOSED`, `the ${protocol} connection was closed before this message was sent`),
        uncertain(protocol, `the ${protocol} connection was closed while this message waited for the gateway's answer`),
      );
      clearInterval(this.queueTimer);
      clearTimeout(this.pumpTimer);
      this.setState('closed');
    })();
    return this.closing;
  }

  private attach(link: Link<OutboxRecord, P>): void {
    link.on('state', (state, detail) => this.onLinkState(link, state, detail));
    link.on('ready', () => this.pump());
    link.on('error', (err) => this.emit('error', err));
    link.on('response', (record, pdu, sentBefore) => {
      if (this.dialect.isFlowControl(pdu)) {
        // A definite refusal: this try did not give the gateway the message.
        record.sent = sentBefore;
        this.flowControlled(record);
      } else {
        try {
          this.take(record)?.answered(pdu);
        } catch (err) {
          this.emit('error', err);
        }
      }
      this.queueChanged();
    });
    link.on('unanswered', (record, err) => {
      this.take(record)?.failed(err);
      this.queueChanged();
    });
    link.on('dropped', (records) => {
      if (link.options.delivery === 'at-most-once') {
        const why = uncertain(this.dialect.protocol, `the ${this.dialect.protocol} link dropped after this message was sent and before the gateway answered`);
        for (const r of records) this.take(r)?.failed(why);
        this.queueChanged();
        return;
      }
      // What was in flight goes back to the head of the queue, in its order, to be sent again.
      for (const r of records) r.tries = 0;
      this.requeue(records);
    });
  }

  private onLinkState(link: Link<OutboxRecord, P>, state: LinkState, detail?: Error): void {
    if (this.closing) return;
    const { protocol } = this.dialect;
    let failed: [Error, Error] | undefined;
    if (state === 'failed') {
      failed = [link.failure ?? (detail as SmsError), link.failure ?? (detail as SmsError)];
    } else if (state === 'disconnected' && !link.options.reconnect) {
      const why = detail?.message ?? 'closed';
      failed = [new SmsError(`${protocol}_DISCONNECTED`, `the ${protocol} link dropped: ${why}`), uncertain(protocol, `the ${protocol} link dropped (${why}) after this message was sent`)];
    }
    // Failed for good: what waits fails, what is parked too as it is read back (until the link tries again).
    this.failedWith = failed;
    if (failed) {
      this.failAll(...failed);
      this.unpark();
    }
    // The account is as up as its best link.
    const states = this.links.map((l) => l.state);
    const best = states.includes('connected') ? 'connected' : link.state;
    if (best !== this.stateValue) {
      this.stateValue = best;
      this.emit('state', best, best === 'connected' ? undefined : detail);
    }
  }

  /** The record has its outcome: out of the outbox, and its waiter to answer. */
  private take(record: OutboxRecord): Waiter<P> | undefined {
    const waiter = record[WAITER] as Waiter<P> | undefined;
    record[WAITER] = undefined;
    this.outbox.remove(record.id);
    return waiter;
  }

  private flowControlled(record: OutboxRecord): void {
    const { initialMs, maxMs, retries } = this.accountOptions.flowControl;
    record.flowRetries++;
    if (record.flowRetries > retries) {
      this.take(record)?.failed(this.flowControlFailure(`after ${retries} retries`));
      return;
    }
    const wait = Math.min(maxMs, initialMs * 2 ** (record.flowRetries - 1));
    this.pausedUntil = Math.max(this.pausedUntil, this.accountOptions.now() + wait);
    record.tries = 0;
    this.requeue([record]);
  }

  /** The outcome of a request the gateway refused with "slow down" until it could wait no more. */
  private flowControlFailure(until: string): SmsError {
    const { protocol, flowControlAnswer } = this.dialect;
    return new SmsError(`${protocol}_FLOW_CONTROL`, `not sent: the gateway kept answering ${flowControlAnswer} ${until}; lower the send rate or ask the carrier for a higher one`);
  }

  private requeue(records: OutboxRecord[]): void {
    for (const r of records) this.outbox.update(r);
    this.queue.requeue(records);
    // The timer stops when it finds the queue empty, as it does while a record is in flight: a record back in the queue needs it again.
    this.armQueueTimer();
  }

  /** Hands queued requests to links with room, the least loaded first, within the rate and outside a pause. */
  private pump(): void {
    this.unpark();
    const { ratePerSecond, ratedCommand } = this.accountOptions;
    // One reading of the clock for the whole turn: the loop does not wait.
    const now = this.queue.length ? this.accountOptions.now() : 0;
    while (this.queue.length) {
      if (this.behindParked) return; // unpark() above reads them
      const record = this.queue.peek() as OutboxRecord;
      const rated = record.command === ratedCommand;
      const link = this.pickLink(now, rated);
      if (!link) {
        if (this.linkWait) this.schedulePump(this.linkWait); // links with room, all at their rate
        return;
      }
      if (now < this.pausedUntil) {
        this.schedulePump(this.pausedUntil - now);
        return;
      }
      if (ratePerSecond > 0 && rated) {
        this.refill(now);
        if (this.tokens < 1) {
          this.schedulePump(Math.ceil(((1 - this.tokens) / ratePerSecond) * 1000));
          return;
        }
        this.tokens -= 1;
      }
      if (!record.sent && !record[LEAVING] && this.outbox.leaving && link.options.delivery === 'at-most-once') this.writeLeaving(record);
      this.queue.shift();
      if (rated) link.takeToken();
      try {
        link.send(record);
        this.outbox.update(record);
      } catch (err) {
        this.take(record)?.failed(err as Error);
      }
    }
  }

  /**
   * At-most-once: before a request the store keeps leaves for the first
   * time, the store writes down that it may have left: a crash a moment
   * after it left then ends it uncertain after the restart instead of
   * sending it again (at-least-once sends it again, as it promises). Done
   * for this request and those behind it that the links have room for now,
   * in one commit (one that waits a little longer may end uncertain after
   * a crash though it never left: the safe side).
   */
  private writeLeaving(first: OutboxRecord): void {
    const room = this.links.reduce((n, l) => n + l.room, 0);
    const batch: OutboxRecord[] = [];
    for (const r of this.queue) {
      if (batch.length >= Math.max(1, room)) break;
      if (r.sent || r[LEAVING]) continue;
      r[LEAVING] = true;
      batch.push(r);
    }
    if (!first[LEAVING]) {
      first[LEAVING] = true;
      batch.unshift(first);
    }
    this.outbox.leaving?.(batch);
  }

  /** The least loaded link with room (and, for a rated request, within its rate); else none, with `linkWait` set. */
  private pickLink(now: number, rated: boolean): Link<OutboxRecord, P> | undefined {
    let best: Link<OutboxRecord, P> | undefined;
    let wait = 0;
    for (const link of this.links) {
      if (!link.canSend) continue;
      const w = rated ? link.rateWait(now) : 0;
      if (w > 0) {
        wait = wait ? Math.min(wait, w) : w;
        continue;
      }
      if (!best || link.unanswered < best.unanswered) best = link;
    }
    this.linkWait = wait;
    return best;
  }

  /** links logged in, of all */
  get linksUp(): number {
    return this.links.filter((l) => l.state === 'connected').length;
  }

  private refill(now: number): void {
    const rate = this.accountOptions.ratePerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
  }

  private schedulePump(ms: number): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(
      () => {
        this.pumpTimer = undefined;
        this.pump();
      },
      Math.max(1, ms),
    );
  }

  private armQueueTimer(): void {
    const limit = this.accountOptions.queueTimeoutMs;
    if (!limit || this.queueTimer) return;
    this.queueTimer = setInterval(
      () => {
        const now = this.accountOptions.now();
        const expired = this.queue.removeWhere((r) => this.expired(r, now));
        if (expired.length) {
          for (const r of expired) this.take(r)?.failed(this.expiry(r));
          this.queueChanged();
        }
        if (!this.queue.length) {
          clearInterval(this.queueTimer);
          this.queueTimer = undefined;
        }
      },
      Math.max(10, Math.min(limit / 4, 1000)),
    );
    this.queueTimer.unref?.();
  }

  /** Past the queue wait, and not on its way now. */
  private expired(r: OutboxRecord, now: number): boolean {
    const limit = this.accountOptions.queueTimeoutMs;
    return limit > 0 && r.tries === 0 && now - r.enqueuedAt >= limit;
  }

  /** Why a record past the queue wait fails. */
  private expiry(r: OutboxRecord): Error {
    const limit = this.accountOptions.queueTimeoutMs;
    const why = this.stateValue === 'connected' ? 'the gateway was too slow' : 'the gateway could not be reached';
    if (r.sent) return uncertain(this.dialect.protocol, `it was sent once, the link dropped before the answer, and it could not be sent again within ${duration(limit)} (${why})`);
    if (r.flowRetries > 0) return this.flowControlFailure(`for ${duration(limit)}, the longest a message may wait`);
    return new SmsError(`${this.dialect.protocol}_QUEUE_TIMEOUT`, `not sent within ${duration(limit)}: ${why}`);
  }

  /** Fails everything waiting: `unsent` for what never left, `maybeSent` for what the peer may have. */
  private failAll(unsent: Error, maybeSent: Error): void {
    const all = this.queue.drain();
    for (const r of all) this.take(r)?.failed(r.sent ? maybeSent : unsent);
    if (all.length) this.queueChanged();
  }

  /** Says the depth once per turn of the event loop, however many requests came and went in it. */
  private queueChanged(): void {
    if (this.queueNotice) return;
    this.queueNotice = setImmediate(() => {
      this.queueNotice = undefined;
      this.emit('queue', this.depth);
      this.unpark(); // the queue in memory may have run low without a send (messages past their wait, say)
    });
  }

  private setState(state: LinkState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state);
  }
}
