/**
 * One message on its way to the carrier: each part's results are written
 * into its journal record as they come, and once every part has its
 * outcome the record leaves the journal and, once a restart can no longer
 * carry it over (the store's settle), the message is settled, its results in the order of the recipients,
 * then of the parts: a crash never undoes an outcome already given. The
 * parts' waiters report here instead of each holding a promise.
 */
import { asError } from '../errors';
import { inOrder, PartResult, SendResult } from '../results';
import { jsonSafe } from '../store/json';
import { MessageRecord, Store } from '../store/store';
import { Encoding } from '../text/codecs';
import type { HandOvers } from './hand-over';

export class MessageInFlight {
  private left: number;

  constructor(
    readonly record: MessageRecord,
    private readonly store: Store,
    parts: number,
    private readonly settled: (results: PartResult[]) => void,
  ) {
    this.left = parts;
    if (parts === 0) this.finish();
  }

  /** parts still awaiting their outcome, when none has one yet (else undefined) */
  get untouchedParts(): number | undefined {
    return (this.record.results as PartResult[]).length === 0 ? this.left : undefined;
  }

  /** One part's outcome: a result for each recipient it went to. */
  partDone(results: PartResult[]): void {
    const all = this.record.results as PartResult[];
    for (const r of results) all.push(r);
    if (--this.left > 0) this.store.messages.update(this.record);
    else this.finish();
  }

  private finish(): void {
    const results = this.record.results as PartResult[];
    const ordered = results.length > 1 ? inOrder(results, this.record.request.to as string[]) : results;
    this.store.messages.settle(this.record.key, () => this.settled(ordered));
  }
}

/** What a client knows of a message once it is split and addressed. */
export interface Outgoing<C extends string> {
  channel: C;
  /** the journal key: unique across restarts and instances */
  key: string;
  to: string[];
  encoding: Encoding;
  /** SMS per recipient, as the result says */
  parts: number;
  /** part outcomes that make the message complete */
  expected: number;
  correlation: unknown;
  origin?: string;
}

/**
 * Writes the message down (a restart gives it its outcome), lets `sendParts`
 * queue every part for the message, and
 * resolves with its result once each part has its outcome. A store that
 * cannot write refuses the message (STORE_WRITE): it could not survive a restart.
 */
export function sendMessage<C extends string>(store: Store, m: Outgoing<C>, sendParts: (message: MessageInFlight) => void, handOvers?: HandOvers): Promise<SendResult<C>> {
  if (store.failure) return Promise.reject(store.failure);
  const record = recordOf(m);
  store.messages.add(record);
  return new Promise((resolve, reject) => {
    const message = new MessageInFlight(record, store, m.expected, (results) => {
      handOvers?.done(m.key);
      resolve({ channel: m.channel, ok: results.every((r) => r.ok), to: m.to, encoding: m.encoding, parts: m.parts, results });
    });
    handOvers?.add(m.key, message);
    try {
      sendParts(message);
    } catch (err) {
      handOvers?.done(m.key);
      store.messages.remove(record.key);
      reject(asError(err));
    }
  });
}

/** The journal's record of a message just accepted. */
function recordOf(m: Outgoing<string>): MessageRecord {
  return {
    key: m.key,
    request: { to: m.to, encoding: m.encoding, parts: m.parts, origin: m.origin },
    correlation: jsonSafe(m.correlation),
    results: [],
    expected: m.expected,
    createdAt: Date.now(),
  };
}

/**
 * Writes the message down and lets `parkParts` park every part for it:
 * nothing of it stays in memory, and its outcome comes as a kept message's
 * does (to its origin). Resolves with its key once the store has committed
 * it; a store that cannot write refuses it (STORE_WRITE).
 */
export function parkMessage(store: Store, m: Outgoing<string>, parkParts: () => void): Promise<string> {
  if (store.failure) return Promise.reject(store.failure);
  store.messages.add({ ...recordOf(m), parked: true });
  try {
    parkParts();
  } catch (err) {
    // Parts parked before the refusal are dropped when read back: their message is gone.
    store.messages.remove(m.key);
    return Promise.reject(asError(err));
  }
  return new Promise((resolve) => store.afterCommit(() => resolve(m.key)));
}
