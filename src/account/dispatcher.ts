/**
 * What a carrier client does with its messages, whatever the protocol:
 * hands each to its session, sent (its parts told their outcome through
 * waiters) or parked in the store alone, and takes up what the store kept.
 * A client adds what is its own: how a message is split and addressed, and
 * what a part's answer means.
 */
import { asError } from '../errors';
import { SendResult } from '../results';
import type { OutboxEntry, Store } from '../store/store';
import type { Body } from '../wire/fields';
import type { RequestOf, Unparker, Waiter } from './account';
import { CarriedOver, carryOver, Keeper, ParkedMessages } from './carry-over';
import { HandOvers } from './hand-over';
import { MessageInFlight, Outgoing, parkMessage, sendMessage } from './in-flight';

/** A message split and addressed: every request it takes, with what each one's answer needs. */
export interface Prepared<C extends string, M> {
  outgoing: Outgoing<C>;
  requests: Array<[Body, M]>;
}

/** The session a client's messages go through. */
interface Session<Command extends string> {
  readonly store: Store;
  readonly parking: boolean;
  enqueue(command: Command, body: Body, waiter: Waiter<never>, of: RequestOf): void;
  park(command: Command, body: Body, of: RequestOf): void;
  resume(entry: OutboxEntry, waiter: Waiter<never>): void;
  takeNew(): void;
  parkWith(unparker: Unparker): void;
  keptParked(count: number, last: number): void;
}

export class Dispatcher<C extends string, M, Command extends string> {
  /** makes message keys unique across restarts and instances sharing a store */
  readonly instance = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  /** messages sent with `handOver`, which a route may take back while they wait unsent */
  readonly handOvers = new HandOvers();
  private sends = 0;
  /** Since recover(): resolves once what the store kept is taken up, with how many messages (0: it could not be read) */
  recovery: Promise<number> = Promise.resolve(0);
  private readonly keeper: Keeper<C>;
  private readonly parked?: ParkedMessages<C>;

  constructor(
    private readonly session: Session<Command>,
    channel: C,
    /** the command each request is (SUBMIT, submit_sm) */
    private readonly command: Command,
    /** who hears a request's answer and tells its message */
    private readonly waiterFor: (meta: M, message: MessageInFlight) => Waiter<never>,
    /** a kept (or parked) message's outcome */
    emit: (carried: CarriedOver<C>) => void,
  ) {
    const takeUp = (entry: OutboxEntry, message: MessageInFlight): void => session.resume(entry, waiterFor(entry.meta as M, message));
    this.keeper = { store: session.store, instance: this.instance, channel, takeUp, emit };
    const parking = session.store.parking;
    if (parking) {
      this.parked = new ParkedMessages(this.keeper, parking);
      session.parkWith(this.parked.read);
    }
  }

  /** A new message's key. */
  nextKey(): string {
    return `${this.instance}-${++this.sends}`;
  }

  /** Sends the message `prepare` makes (see sendMessage); what `prepare` throws is the promise's rejection. */
  send(prepare: () => Prepared<C, M>, handOver = false): Promise<SendResult<C>> {
    try {
      const { outgoing, requests } = prepare();
      const of = (meta: M): RequestOf => ({ message: outgoing.key, meta });
      const sendParts = (message: MessageInFlight): void => {
        for (const [body, meta] of requests) this.session.enqueue(this.command, body, this.waiterFor(meta, message), of(meta));
      };
      return sendMessage(this.session.store, outgoing, sendParts, handOver ? this.handOvers : undefined);
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }

  /** A new message should be parked: the queue in memory is full, or parked ones wait ahead of it. */
  get parking(): boolean {
    return this.session.parking;
  }

  /** Parks the message `prepare` makes (see parkMessage): resolves with its key once the store has committed it. */
  park(prepare: () => Prepared<C, M>): Promise<string> {
    try {
      const { outgoing, requests } = prepare();
      return parkMessage(this.session.store, outgoing, () => {
        for (const [body, meta] of requests) this.session.park(this.command, body, { message: outgoing.key, meta });
      });
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }

  /**
   * At start, a turn later (every node of the flow has its listeners by
   * then): `restore` (what the client keeps besides: reports awaited, parts
   * of incoming messages), then what the store kept, parked or not.
   * Messages sent meanwhile wait, then follow (see Account.holdNew); what
   * fails goes to `failed`, and recovery resolves with 0.
   */
  recover(restore: () => Promise<void>, failed: (err: Error) => void): Promise<number> {
    const takeUp = async (): Promise<number> => {
      await new Promise((resolve) => setImmediate(resolve));
      await restore();
      return this.parked ? this.parked.recover(this.session) : carryOver(this.keeper);
    };
    this.recovery = takeUp()
      .catch((err) => {
        failed(asError(err));
        return 0;
      })
      .finally(() => this.session.takeNew());
    return this.recovery;
  }
}
