/**
 * The messages a client's store keeps get their outcome through the
 * client's own `takeUp`, each handed on once, with every part's result:
 * after a restart, the messages accepted before it (carried over); and,
 * with a store that can park (see Parking), the messages that waited on
 * disk alone, read back a window at a time in the order they were
 * accepted, after a restart too.
 */
import { Encoding } from '../text/codecs';
import { SendResult } from '../results';
import { OutboxEntry, Parking, MessageRecord, Store } from '../store/store';
import { MessageInFlight } from './in-flight';
import type { Unparker } from './account';

export interface CarriedOver<C extends string> {
  /** the message's key at its client (what park() resolved with) */
  key?: string;
  origin?: string;
  correlation?: unknown;
  result: SendResult<C>;
}

type TakeUp = (entry: OutboxEntry, message: MessageInFlight) => void;

/** What a client gives to take its kept messages up. */
export interface Keeper<C extends string> {
  store: Store;
  /** this run's name: keys starting with `instance-` were written by it */
  instance: string;
  channel: C;
  takeUp: TakeUp;
  emit: (carried: CarriedOver<C>) => void;
}

/** A kept message, told its outcome once each of its `pending` requests is answered; `before` it was accepted before the restart. */
function keptMessage<C extends string>(k: Keeper<C>, record: MessageRecord, pending: number, before: boolean): MessageInFlight {
  return new MessageInFlight(record, k.store, pending, (results) => {
    const recipients = record.request.to as string[];
    // Parts whose answer was lost with the process are reported as such.
    const missing = record.expected - results.length;
    k.emit({
      key: record.key,
      origin: record.request.origin as string | undefined,
      correlation: record.correlation,
      result: {
        channel: k.channel,
        ok: missing === 0 && results.every((r) => r.ok),
        to: recipients,
        encoding: record.request.encoding as Encoding,
        parts: record.request.parts as number,
        results,
        ...(before && { carriedOver: true }),
      },
    });
  });
}

const earlierThan = (instance: string) => (key?: string) => !key?.startsWith(`${instance}-`);

/**
 * Takes up `entries` (in id order) with their messages' `records`: a request
 * whose message the journal lost is dropped (nobody waits for it), and each
 * message waits for the requests of it given here.
 */
function takeUpAll<C extends string>(k: Keeper<C>, entries: OutboxEntry[], records: Map<string, MessageRecord>): void {
  const earlier = earlierThan(k.instance);
  const parts = new Map<string, number>();
  const kept: OutboxEntry[] = [];
  for (const entry of entries) {
    if (!entry.message || !records.has(entry.message)) {
      k.store.outbox.remove(entry.id); // a query, or a part of nothing: nobody waits for it any more
      continue;
    }
    parts.set(entry.message, (parts.get(entry.message) ?? 0) + 1);
    kept.push(entry);
  }
  const messages = new Map<string, MessageInFlight>();
  for (const [key, pending] of parts) messages.set(key, keptMessage(k, records.get(key) as MessageRecord, pending, earlier(key)));
  for (const entry of kept) {
    const key = entry.message as string;
    // One from before the restart starts its wait afresh, parked or not.
    k.takeUp(earlier(key) && entry.parked ? { ...entry, parked: false } : entry, messages.get(key) as MessageInFlight);
  }
}

/**
 * After a restart, with a store that cannot park: everything it kept is
 * read and taken up now. Resolves with how many messages were carried
 * over. What this instance wrote itself is left alone.
 */
export async function carryOver<C extends string>(k: Keeper<C>): Promise<number> {
  const [stored, entries] = await Promise.all([k.store.messages.load(), k.store.outbox.load()]);
  const earlier = earlierThan(k.instance);
  const messages = stored.filter((m) => earlier(m.key));
  const records = new Map(messages.map((m) => [m.key, m]));
  const kept = entries.filter((e) => earlier(e.message));
  const pending = new Set(kept.map((e) => e.message));
  // Messages with nothing left to send (every part answered before the restart, or none queued): their outcome now.
  for (const record of messages) if (!pending.has(record.key)) keptMessage(k, record, 0, true);
  // In the order they were accepted, whatever order the store lists the messages in.
  takeUpAll(k, kept, records);
  return messages.length;
}

/** requests read back after a window that a message's other parts may follow, at a time */
const TAIL = 64;

/**
 * With a store that can park: what waits on disk alone is read back a
 * window at a time (`read`, the account's Unparker), never a message cut
 * in two; after a restart everything the store keeps is read so.
 */
export class ParkedMessages<C extends string> {
  constructor(
    private readonly k: Keeper<C>,
    private readonly parking: Parking,
  ) {}

  /**
   * After a restart: messages with nothing left to send get their outcome
   * now; the session learns how many requests the store keeps, to read
   * them back as its queue runs low. Resolves with those messages and
   * requests.
   */
  async recover(session: { keptParked(count: number, last: number): void }): Promise<number> {
    const earlier = earlierThan(this.k.instance);
    const orphans = (await this.parking.orphans()).filter((m) => earlier(m.key));
    for (const record of orphans) keptMessage(this.k, record, 0, true);
    const { count, last } = await this.parking.extent();
    session.keptParked(count, last);
    return orphans.length + count;
  }

  readonly read: Unparker = async (after, limit) => {
    const entries = await this.parking.after(after, limit);
    // At the file's end while what the store could not write (a full disk) is not in it yet: not the end.
    const failure = this.k.store.failure;
    if (!entries.length && failure) throw failure;
    if (entries.length === limit) {
      // The window's last message may go on past it: its other parts come too.
      const message = entries[entries.length - 1].message;
      for (;;) {
        const more = await this.parking.after(entries[entries.length - 1].id, TAIL);
        const same = more.findIndex((e) => e.message !== message);
        entries.push(...(same < 0 ? more : more.slice(0, same)));
        if (same >= 0 || more.length < TAIL) break;
      }
    }
    const last = entries.length ? entries[entries.length - 1].id : after;
    // Those this run keeps in memory (sent, not parked) are not read back.
    const earlier = earlierThan(this.k.instance);
    const parked = entries.filter((e) => e.parked || earlier(e.message));
    const keys = [...new Set(parked.map((e) => e.message).filter((key): key is string => key !== undefined))];
    const records = new Map((await this.parking.messages(keys)).map((m) => [m.key, m]));
    takeUpAll(this.k, parked, records);
    return { last, taken: parked.length };
  };
}
