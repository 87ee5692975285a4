/**
 * After a restart, the messages a client accepted before it (kept in the
 * store's journal) get their outcome: what had not been answered is taken
 * up again through the client's own `takeUp`, in the order it was accepted,
 * and each message is handed on once, with every part's result, as carried over.
 */
import { Encoding } from '../text/codecs';
import { SendResult } from '../results';
import { OutboxEntry, Store } from '../store/store';
import { MessageInFlight } from './in-flight';

export interface CarriedOver<C extends string> {
  origin?: string;
  correlation?: unknown;
  result: SendResult<C>;
}

/**
 * Resolves with how many messages were carried over; `emit` gets each
 * message's outcome once its last part is answered. What this instance
 * wrote itself (keys starting with `instance-`) is left alone.
 */
export async function carryOver<C extends string>(
  store: Store,
  instance: string,
  channel: C,
  takeUp: (entry: OutboxEntry, message: MessageInFlight) => void,
  emit: (carried: CarriedOver<C>) => void,
): Promise<number> {
  const [stored, entries] = await Promise.all([store.messages.load(), store.outbox.load()]);
  const earlier = (key?: string): boolean => !key?.startsWith(`${instance}-`);
  const messages = stored.filter((m) => earlier(m.key));
  const known = new Set(messages.map((m) => m.key));
  const parts = new Map<string, number>();
  const kept: OutboxEntry[] = [];
  for (const entry of entries) {
    if (!earlier(entry.message)) continue;
    if (!entry.message || !known.has(entry.message)) {
      store.outbox.remove(entry.id); // a query, or a part of nothing: nobody waits for it any more
      continue;
    }
    parts.set(entry.message, (parts.get(entry.message) ?? 0) + 1);
    kept.push(entry);
  }
  const taken = new Map<string, MessageInFlight>();
  for (const record of messages) {
    const pending = parts.get(record.key) ?? 0;
    const message = new MessageInFlight(record, store, pending, (results) => {
      const recipients = record.request.to as string[];
      // Parts whose answer was lost with the process are reported as such.
      const missing = record.expected - results.length;
      emit({
        origin: record.request.origin as string | undefined,
        correlation: record.correlation,
        result: {
          channel,
          ok: missing === 0 && results.every((r) => r.ok),
          to: recipients,
          encoding: record.request.encoding as Encoding,
          parts: record.request.parts as number,
          results,
          carriedOver: true,
        },
      });
    });
    if (pending) taken.set(record.key, message);
  }
  // In the order they were accepted, whatever order the store lists the messages in.
  for (const entry of kept) takeUp(entry, taken.get(entry.message as string) as MessageInFlight);
  return messages.length;
}
