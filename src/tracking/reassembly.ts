/**
 * Joins the parts of incoming concatenated messages. Parts are keyed by
 * sender, reference and part count; they may come in any order and more than
 * once. A message that stays incomplete for `timeoutMs` is handed on with
 * what arrived, marked incomplete; past `maxPending` messages the oldest is
 * handed on the same way, so memory stays bounded and nothing vanishes unseen.
 */
import { EventEmitter } from 'node:events';
import { SmsError } from '../errors';
import { PartialRecord, PartialStore } from '../store/store';

export interface IncomingPart<M = unknown> {
  from: string;
  reference: number;
  total: number;
  /** 1-based */
  sequence: number;
  /** decoded text of the part, when it is text */
  text?: string;
  /** raw payload of the part, when it is binary */
  data?: Buffer;
  /** anything the caller wants back with the message (channel fields, raw PDU) */
  meta?: M;
}

export interface ReassembledMessage<M = unknown> {
  from: string;
  reference: number;
  total: number;
  /** the parts that arrived, in sequence order */
  parts: IncomingPart<M>[];
  /** sequence numbers that never came */
  missing: number[];
  incomplete: boolean;
  /** parts' text joined, when the parts are text */
  text?: string;
  /** parts' data joined, when the parts are binary */
  data?: Buffer;
  /** why an incomplete message was handed on */
  reason?: 'timeout' | 'overflow' | 'flush';
}

export interface ReassemblerOptions {
  /** how long to wait for the rest of a message (default 5 minutes) */
  timeoutMs?: number;
  /** messages waiting for parts at most (default 1000) */
  maxPending?: number;
  /** where the parts that arrived are kept (default: only here, in memory) */
  store?: PartialStore;
}

interface Pending<M> {
  key: string;
  firstAt: number;
  first: IncomingPart<M>;
  parts: Map<number, IncomingPart<M>>;
  timer: NodeJS.Timeout;
}

export interface ReassemblerStats {
  pending: number;
  completed: number;
  timedOut: number;
  /** incomplete messages pushed out to keep within maxPending */
  dropped: number;
  duplicates: number;
}

export declare interface Reassembler<M> {
  on(event: 'message', listener: (message: ReassembledMessage<M>) => void): this;
  emit(event: 'message', message: ReassembledMessage<M>): boolean;
}

export class Reassembler<M = unknown> extends EventEmitter {
  private readonly pending = new Map<string, Pending<M>>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly counts = { completed: 0, timedOut: 0, dropped: 0, duplicates: 0 };
  private readonly store?: PartialStore;

  constructor(options: ReassemblerOptions = {}) {
    super();
    this.store = options.store;
    this.timeoutMs = options.timeoutMs ?? 5 * 60 * 1000;
    this.maxPending = Math.max(1, options.maxPending ?? 1000);
  }

  get stats(): ReassemblerStats {
    return { pending: this.pending.size, ...this.counts };
  }

  /**
   * Adds a part. A part of a one-part message, or one whose numbering makes
   * no sense (sequence 0 or past the total, as 23.040 says to ignore), is
   * handed on at once as a message of its own.
   */
  push(part: IncomingPart<M>): void {
    if (!Number.isInteger(part.total) || !Number.isInteger(part.sequence) || part.total > 255) {
      // The wire carries both in one octet: anything else is a caller's mistake, not a message.
      throw new SmsError('SMS_FIELD', `total: the parts of a message are counted 1 to 255 in whole numbers, got total ${String(part.total)}, sequence ${String(part.sequence)}`, 'total');
    }
    if (part.total <= 1 || part.sequence < 1 || part.sequence > part.total) {
      this.counts.completed++;
      this.emit('message', join(part, new Map([[1, { ...part, sequence: 1, total: 1 }]]), 1));
      return;
    }
    const key = `${part.from}\u0000${part.reference}\u0000${part.total}`;
    if (this.store?.merge) {
      this.pushShared(key, part);
      return;
    }
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.values().next().value as Pending<M>;
        this.counts.dropped++;
        this.finish(oldest, 'overflow');
      }
      entry = { key, firstAt: Date.now(), first: part, parts: new Map(), timer: setTimeout(() => this.expire(key), this.timeoutMs) };
      entry.timer.unref?.();
      this.pending.set(key, entry);
    }
    if (entry.parts.has(part.sequence)) {
      this.counts.duplicates++;
      return;
    }
    entry.parts.set(part.sequence, part);
    if (entry.parts.size === part.total) {
      this.counts.completed++;
      this.finish(entry);
    } else if (this.store) {
      this.store.save({ key: entry.key, parts: Object.fromEntries(entry.parts), firstAt: entry.firstAt });
    }
  }

  /**
   * With a store shared by several instances, parts are joined in the store:
   * the instance that adds the last part hands the message on; a message
   * still missing parts at the timeout is handed on, incomplete, by whichever
   * instance takes its parts first.
   */
  private pushShared(key: string, part: IncomingPart<M>): void {
    const store = this.store as Required<PartialStore>;
    if (!this.pending.has(key)) {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        store.take(key).then(
          (got) => {
            if (!got) return; // joined elsewhere
            this.counts.timedOut++;
            const map = new Map(Object.entries(got).map(([seq, p]) => [Number(seq), p as IncomingPart<M>]));
            const first = [...map.values()][0];
            const message = join(first, map, first.total);
            message.reason = 'timeout';
            this.emit('message', message);
          },
          () => undefined,
        );
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(key, { key, firstAt: Date.now(), first: part, parts: new Map(), timer });
    }
    store.merge(key, part.sequence, part, part.total, this.timeoutMs * 2).then(
      (all) => {
        if (!all) return;
        const entry = this.pending.get(key);
        if (entry) clearTimeout(entry.timer);
        this.pending.delete(key);
        this.counts.completed++;
        const map = new Map(Object.entries(all).map(([seq, p]) => [Number(seq), p as IncomingPart<M>]));
        this.emit('message', join(part, map, part.total));
      },
      () => undefined,
    );
  }

  /** Takes up the parts a store kept across a restart; their wait starts afresh. */
  restore(records: PartialRecord[]): void {
    for (const record of records) {
      for (const part of Object.values(record.parts) as Array<IncomingPart<M>>) this.push(part);
    }
  }

  /** Stops waiting without handing anything on: the store keeps the parts for the next start. */
  stop(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  /** Hands on every waiting message as incomplete (on close, say). */
  flush(): void {
    for (const entry of [...this.pending.values()]) this.finish(entry, 'flush');
  }

  private expire(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.counts.timedOut++;
    this.finish(entry, 'timeout');
  }

  private finish(entry: Pending<M>, reason?: ReassembledMessage['reason']): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry.key);
    if (entry.parts.size > 1 || reason) this.store?.remove(entry.key);
    const message = join(entry.first, entry.parts, entry.first.total);
    if (reason) message.reason = reason;
    this.emit('message', message);
  }
}

function join<M>(first: IncomingPart<M>, parts: Map<number, IncomingPart<M>>, total: number): ReassembledMessage<M> {
  const ordered: IncomingPart<M>[] = [];
  const missing: number[] = [];
  for (let n = 1; n <= total; n++) {
    const part = parts.get(n);
    if (part) ordered.push(part);
    else missing.push(n);
  }
  const message: ReassembledMessage<M> = {
    from: first.from,
    reference: first.reference,
    total,
    parts: ordered,
    missing,
    incomplete: missing.length > 0,
  };
  if (ordered.every((p) => typeof p.text === 'string')) message.text = ordered.map((p) => p.text).join('');
  if (ordered.every((p) => Buffer.isBuffer(p.data))) message.data = Buffer.concat(ordered.map((p) => p.data as Buffer));
  return message;
}
