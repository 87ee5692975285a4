/**
 * What a protocol's session is to its users, whatever the protocol: an
 * account over its links, with a store. It starts the links, takes requests
 * and requests kept across a restart, says its state and depth, and closes,
 * keeping what waits when the store survives restarts. A dialect's session
 * (CMPP, SMPP) adds what is its own: answering the peer's requests.
 */
import { EventEmitter } from 'node:events';
import { Pdu } from '../link/dialect';
import { withDefaults } from '../defaults';
import { Delivery, Link, LinkState } from '../link/link';
import { OutboxEntry, Store } from '../store/store';
import { Body } from '../wire/fields';
import { Account, OnAnswer, OutboxRecord, RequestOf, Unparker, Waiter } from './account';

/** What every account's options default to, whatever the protocol (a dialect adds its own: window, T, keep-alive). */
export const ACCOUNT_DEFAULTS = {
  maxTries: 3,
  connectTimeoutMs: 10000,
  ratePerSecond: 0,
  maxQueue: 10000,
  queueInMemory: 10000,
  queueTimeoutMs: 60000,
  failWhenDown: false,
  delivery: 'at-least-once' as Delivery,
  loginRetryMs: 300000,
  maxWriteBufferBytes: 4 * 1024 * 1024,
  links: 1,
  ratePerLink: 0,
  now: Date.now,
};

/** Reconnection back-off and flow-control retries over their defaults (an option given as undefined keeps its default). */
export function retryOptions(options: { reconnect?: { initialMs?: number; maxMs?: number } | false; flowControl?: { initialMs?: number; maxMs?: number; retries?: number } }): {
  reconnect: { initialMs: number; maxMs: number } | false;
  flowControl: { initialMs: number; maxMs: number; retries: number };
} {
  return {
    reconnect: options.reconnect === false ? false : withDefaults({ initialMs: 1000, maxMs: 30000 }, options.reconnect),
    flowControl: withDefaults({ initialMs: 500, maxMs: 10000, retries: 20 }, options.flowControl),
  };
}

export abstract class AccountSession<P extends Pdu, C extends string> extends EventEmitter {
  abstract readonly store: Store;
  abstract readonly links: Array<Link<OutboxRecord, P>>;
  private account?: Account<P>;

  /** Takes the account the links serve, and passes its state, queue and errors on. */
  protected attach(account: Account<P>): void {
    this.account = account;
    // A store that outlives the process may keep requests: new ones wait until takeNew() (see Account.holdNew).
    if (this.store.kind !== 'memory') account.holdNew();
    account.on('state', (state, detail) => this.emit('state', state, detail));
    account.on('queue', (depth) => this.emit('queue', depth));
    account.on('error', (err) => this.emit('error', err));
  }

  private get accountOf(): Account<P> {
    return this.account as Account<P>;
  }

  get state(): LinkState {
    return this.accountOf.state;
  }

  /** requests waiting to be sent plus those awaiting an answer */
  get depth(): number {
    return this.accountOf.depth;
  }

  /** links logged in, of all */
  get linksUp(): number {
    return this.accountOf.linksUp;
  }

  /** Opens the links; resolves on the first successful login. */
  start(): Promise<void> {
    return this.accountOf.start();
  }

  /**
   * Sends a request when a window allows; resolves with the peer's answer.
   * `onAnswer` sees it synchronously, before any frame read after it (a
   * report in the same TCP read) is handled.
   */
  request(command: C, body: Body = {}, onAnswer?: OnAnswer<P>, of?: RequestOf): Promise<P> {
    return this.accountOf.request(command, body, onAnswer, of);
  }

  /** request() for a client that waits without a promise: `waiter` is told the outcome exactly once. */
  enqueue(command: C, body: Body, waiter: Waiter<P>, of?: RequestOf): void {
    this.accountOf.enqueue(command, body, waiter, of);
  }

  /** A new message should wait in the store alone (see Account.parking). */
  get parking(): boolean {
    return this.accountOf.parking;
  }

  /** requests the store keeps alone, not yet read back */
  get parked(): number {
    return this.accountOf.parked;
  }

  /** Queues a request in the store alone (see Account.park); throws what refuses it. */
  park(command: C, body: Body, of: RequestOf): void {
    this.accountOf.park(command, body, of);
  }

  /** The store can park: `unparker` reads what it keeps back, a window at a time. */
  parkWith(unparker: Unparker): void {
    this.accountOf.parkWith(unparker);
  }

  /** After a restart: the store keeps `count` requests up to id `last`, read back a window at a time. */
  keptParked(count: number, last: number): void {
    this.accountOf.keptParked(count, last);
  }

  /** Takes back queued messages that never left (see Account.withdraw). */
  withdraw(parts: (message: string) => number | undefined, why: Error): number {
    return this.accountOf.withdraw(parts, why);
  }

  /** Takes up a request the store kept across a restart; `waiter` is told its outcome. */
  resume(entry: OutboxEntry, waiter: Waiter<P>): void {
    this.accountOf.resume(entry, waiter);
  }

  /** What the store kept is taken up (or could not be read): requests made meanwhile are queued after it. */
  takeNew(): void {
    this.accountOf.takeNew();
  }

  /**
   * Ends the session and waits briefly for the peer's answer. What still
   * waits is failed, or, when the store keeps state across restarts, left
   * in it for the next session to send.
   */
  close(waitMs = 1000): Promise<void> {
    return this.accountOf.close(waitMs, this.store.kind !== 'memory');
  }
}
