/**
 * What a policy must not forget: who sent what to each number lately (the
 * per-number limit's log and the duplicates' texts), who asked for no more
 * messages, and the messages held for later. One check per message answers
 * in constant time: the log of a number is at most its limit long, and the
 * texts are found by their hash.
 */
import type { PartResult } from '../results';
import type { MaybePromise } from '../store/store';
import { DEFAULT_HISTORY, HistoryChange, HistoryEntry, HistoryLimits, HistoryQuery, idsOf, searchable, tagKey } from './history';

export interface AdmitCheck {
  /** the number as the policy compares numbers (numberKey) */
  number: string;
  at: number;
  /** the hash of the number and its text, the window in which a copy is refused, and the message's own key */
  duplicate?: { hash: string; windowMs: number; key: string };
  /** at most `count` (messages or SMS) per `windowMs`; this message weighs `weight` */
  limit?: { count: number; windowMs: number; weight: number };
  /** false: only ask (opted out? a copy?), count nothing and remember nothing */
  record: boolean;
  /** a message over the limit that is held still counts as its text sent: later copies are duplicates */
  holdWhenLimited?: boolean;
}

export type Admission =
  | { verdict: 'ok' }
  | { verdict: 'optedOut'; since: number }
  | { verdict: 'duplicate'; key: string; at: number; copies: number }
  /** `nextAt`: when the limit lets this message go (Infinity: never, it weighs more than the limit) */
  | { verdict: 'limited'; nextAt: number };

export interface OptOutEntry {
  /** as it came (the sender of a STOP, a flow's msg.to) */
  number: string;
  /** as the policy compares numbers (numberKey) */
  key: string;
  at: number;
  /** what put it there: the keyword a phone sent, a flow, the editor */
  how: string;
  /** the connection it came by, if by one */
  via?: string;
}

/** A message some of whose recipients wait (quiet hours, the limit) to be sent. */
export interface HeldRecord {
  key: string;
  /** the connection or route it goes by */
  via: string;
  /** the send, without its recipients (JSON-safe) */
  request: Record<string, unknown>;
  /** number as written -> when it may go, and why it waits */
  waiting: Record<string, { until: number; reason: 'quiet' | 'limit' }>;
  /** the results of its recipients already sent or refused */
  results: PartResult[];
  heldAt: number;
}

export type PolicyCounter = 'suppressed' | 'limited' | 'quiet' | 'optedOut' | 'held';

export interface PolicyStore {
  readonly kind: string;
  readonly location: string;
  admit(check: AdmitCheck): MaybePromise<Admission>;
  /** a message that was not sent after all no longer makes its copies duplicates */
  forget(hash: string, key: string): void;
  optOut(entry: OptOutEntry): void;
  /** true when the number (its key) was there */
  optIn(key: string): MaybePromise<boolean>;
  optOuts(): MaybePromise<OptOutEntry[]>;
  hold(record: HeldRecord): void;
  /** takes a held message to send it: true only for the one that takes it (a shared store) */
  release(key: string): MaybePromise<boolean>;
  held(): MaybePromise<HeldRecord[]>;
  count(counter: PolicyCounter): void;
  counters(): MaybePromise<Record<PolicyCounter, number>>;
  /** how long messages' history is kept, and how many at most */
  keepHistory(limits: HistoryLimits): void;
  /** a change in a message's history; `since`: when the message was accepted (the oldest go first) */
  note(key: string, change: HistoryChange, since: number): void;
  /** the messages a key, a carrier id or a tag finds, newest first */
  history(query: HistoryQuery, limit: number): MaybePromise<HistoryEntry[]>;
  /** the latest messages, newest first; `search`: only those whose numbers, ids or text hold it */
  recent(limit: number, search?: string): MaybePromise<HistoryEntry[]>;
  close(): MaybePromise<void>;
}

/** A key added to the list a Map holds for `index`. */
function indexAdd(map: Map<string, string[]>, index: string, key: string): void {
  const keys = map.get(index);
  if (!keys) map.set(index, [key]);
  else if (keys[keys.length - 1] !== key) keys.push(key);
}

function indexRemove(map: Map<string, string[]>, index: string, key: string): void {
  const keys = map.get(index);
  if (!keys) return;
  const i = keys.indexOf(key);
  if (i >= 0) keys.splice(i, 1);
  if (!keys.length) map.delete(index);
}

interface DuplicateEntry {
  key: string;
  at: number;
  expiresAt: number;
  copies: number;
}

/**
 * The limit's verdict over a number's log (flat: at, weight, at, weight...,
 * oldest first), expired entries dropped from it: undefined when the message
 * fits, else when it may go (Infinity: never, it weighs more than the limit).
 */
export function limitVerdict(log: number[], limit: { count: number; windowMs: number; weight: number }, at: number): number | undefined {
  let gone = 0;
  while (gone < log.length && log[gone] + limit.windowMs <= at) gone += 2;
  if (gone) log.splice(0, gone);
  let sum = 0;
  for (let i = 1; i < log.length; i += 2) sum += log[i];
  if (sum + limit.weight <= limit.count) return undefined;
  if (limit.weight > limit.count) return Infinity;
  let freed = 0;
  for (let i = 0; i < log.length; i += 2) {
    freed += log[i + 1];
    if (sum - freed + limit.weight <= limit.count) return log[i] + limit.windowMs;
  }
  return Infinity;
}

/**
 * What expires, in the order it was written, as parallel arrays (no object
 * per entry). One queue per kind: each kind has one window, so its entries
 * fall due in order and the oldest are dropped from the head.
 */
class ExpiryQueue {
  private keys: string[] = [];
  private dues: number[] = [];
  private stamps: number[] = [];
  private head = 0;

  push(key: string, dueAt: number, stamp: number): void {
    this.keys.push(key);
    this.dues.push(dueAt);
    this.stamps.push(stamp);
  }

  /** Each entry due by `at`, once, oldest first. */
  drain(at: number, each: (key: string, stamp: number) => void): void {
    while (this.head < this.keys.length && this.dues[this.head] <= at) {
      const i = this.head++;
      each(this.keys[i], this.stamps[i]);
    }
    if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.dues = this.dues.slice(this.head);
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }
}

export const NO_COUNTS: Record<PolicyCounter, number> = { suppressed: 0, limited: 0, quiet: 0, optedOut: 0, held: 0 };

/**
 * The policy's state in this process. A subclass that keeps it on disk
 * hears every change through `changed` and gives back what it kept by
 * `restore`.
 */
export class MemoryPolicyStore implements PolicyStore {
  readonly kind: string = 'memory';
  readonly location: string = 'memory';
  protected readonly logs = new Map<string, number[]>();
  protected readonly duplicates = new Map<string, DuplicateEntry>();
  protected readonly opted = new Map<string, OptOutEntry>();
  protected readonly holding = new Map<string, HeldRecord>();
  protected readonly counts: Record<PolicyCounter, number> = { ...NO_COUNTS };
  /** texts and logs in the order they were written: the oldest expire first */
  private readonly expiringTexts = new ExpiryQueue();
  private readonly expiringLogs = new ExpiryQueue();
  protected historyLimits: HistoryLimits = DEFAULT_HISTORY;
  /** messages' history: key -> when accepted and its changes; in the order accepted, with the ids and tags that find them */
  private readonly stories = new Map<string, { since: number; changes: HistoryChange[] }>();
  private readonly storyOrder: string[] = [];
  private storyHead = 0;
  private readonly byId = new Map<string, string[]>();
  private readonly byTag = new Map<string, string[]>();

  admit(check: AdmitCheck): Admission {
    this.expire(check.at);
    const opted = this.opted.get(check.number);
    if (opted) {
      if (check.record) this.bump('optedOut');
      return { verdict: 'optedOut', since: opted.at };
    }
    const dup = check.duplicate;
    if (dup) {
      const earlier = this.duplicates.get(dup.hash);
      if (earlier && earlier.expiresAt > check.at) {
        if (check.record) {
          earlier.copies++;
          this.changed('dup', dup.hash, earlier, earlier.expiresAt);
          this.bump('suppressed');
        }
        return { verdict: 'duplicate', key: earlier.key, at: earlier.at, copies: earlier.copies };
      }
    }
    if (!check.record) return { verdict: 'ok' };
    if (check.limit) {
      const log = this.logs.get(check.number) ?? [];
      const nextAt = limitVerdict(log, check.limit, check.at);
      if (nextAt !== undefined) {
        if (check.holdWhenLimited) this.remember(check);
        this.bump('limited');
        return { verdict: 'limited', nextAt };
      }
      if (!log.length) this.logs.set(check.number, log);
      log.push(check.at, check.limit.weight);
      this.changed('log', check.number, log, check.at + check.limit.windowMs);
      this.expiringLogs.push(check.number, check.at + check.limit.windowMs, check.at);
    }
    this.remember(check);
    return { verdict: 'ok' };
  }

  private remember(check: AdmitCheck): void {
    const dup = check.duplicate;
    if (!dup) return;
    const entry = { key: dup.key, at: check.at, expiresAt: check.at + dup.windowMs, copies: 0 };
    this.duplicates.set(dup.hash, entry);
    this.changed('dup', dup.hash, entry, entry.expiresAt);
    this.expiringTexts.push(dup.hash, entry.expiresAt, check.at);
  }

  /** Drops what has expired, oldest first: each entry once, so a check costs the same at any size. */
  private expire(at: number): void {
    this.expireAt = at;
    this.expiringTexts.drain(at, this.textExpired);
    this.expiringLogs.drain(at, this.logExpired);
  }

  /** the time `expire` drops by, for the two below (made once: a check makes no function) */
  private expireAt = 0;
  private readonly textExpired = (key: string): void => {
    const entry = this.duplicates.get(key);
    if (entry && entry.expiresAt <= this.expireAt) {
      this.duplicates.delete(key);
      this.changed('dup', key, undefined, entry.expiresAt);
    }
  };
  private readonly logExpired = (key: string, stamp: number): void => {
    // A log whose last entry is the one now due has nothing left in its window: the number is forgotten.
    const log = this.logs.get(key);
    if (log && (!log.length || log[log.length - 2] === stamp)) {
      this.logs.delete(key);
      this.changed('log', key, undefined, this.expireAt);
    }
  };

  forget(hash: string, key: string): void {
    const entry = this.duplicates.get(hash);
    if (entry?.key !== key) return;
    this.duplicates.delete(hash);
    this.changed('dup', hash, undefined, entry.expiresAt);
  }

  optOut(entry: OptOutEntry): void {
    this.opted.set(entry.key, entry);
    this.changed('optout', entry.key, entry);
  }

  optIn(key: string): boolean {
    const was = this.opted.delete(key);
    if (was) this.changed('optout', key, undefined);
    return was;
  }

  optOuts(): OptOutEntry[] {
    return [...this.opted.values()];
  }

  hold(record: HeldRecord): void {
    this.holding.set(record.key, record);
    this.changed('held', record.key, record);
  }

  release(key: string): boolean {
    const was = this.holding.delete(key);
    if (was) this.changed('held', key, undefined);
    return was;
  }

  held(): HeldRecord[] {
    return [...this.holding.values()];
  }

  count(counter: PolicyCounter): void {
    this.bump(counter);
  }

  private bump(counter: PolicyCounter): void {
    this.counts[counter]++;
    this.changed('count', counter, this.counts[counter]);
  }

  counters(): Record<PolicyCounter, number> {
    return { ...this.counts };
  }

  keepHistory(limits: HistoryLimits): void {
    this.historyLimits = limits;
  }

  note(key: string, change: HistoryChange, since: number): void {
    let story = this.stories.get(key);
    if (!story) {
      story = { since, changes: [] };
      this.stories.set(key, story);
      this.storyOrder.push(key);
    }
    story.changes.push(change);
    for (const id of idsOf(change)) indexAdd(this.byId, id, key);
    const tag = change.kind === 'accepted' ? tagKey(change.tag) : undefined;
    if (tag) indexAdd(this.byTag, tag, key);
    this.trimHistory(change.at);
  }

  /** Forgets the oldest messages beyond the count or the time kept, each once. */
  private trimHistory(now: number): void {
    const { keepMs, max } = this.historyLimits;
    const order = this.storyOrder;
    while (this.storyHead < order.length) {
      const key = order[this.storyHead];
      const story = this.stories.get(key);
      if (story && this.stories.size <= max && story.since > now - keepMs) break;
      this.storyHead++;
      if (!story) continue;
      this.stories.delete(key);
      for (const c of story.changes) {
        for (const id of idsOf(c)) indexRemove(this.byId, id, key);
        const tag = c.kind === 'accepted' ? tagKey(c.tag) : undefined;
        if (tag) indexRemove(this.byTag, tag, key);
      }
    }
    if (this.storyHead > 1024 && this.storyHead * 2 > order.length) {
      order.splice(0, this.storyHead);
      this.storyHead = 0;
    }
  }

  history(query: HistoryQuery, limit: number): HistoryEntry[] {
    const tag = tagKey(query.tag);
    const keys = query.key ? [query.key] : query.id ? (this.byId.get(query.id) ?? []) : tag ? (this.byTag.get(tag) ?? []) : [];
    const out: HistoryEntry[] = [];
    for (let i = keys.length - 1; i >= 0 && out.length < limit; i--) {
      const story = this.stories.get(keys[i]);
      if (story) out.push({ key: keys[i], changes: [...story.changes] });
    }
    return out;
  }

  recent(limit: number, search?: string): HistoryEntry[] {
    const words = search?.trim().toLowerCase();
    const out: HistoryEntry[] = [];
    for (let i = this.storyOrder.length - 1; i >= this.storyHead && out.length < limit; i--) {
      const key = this.storyOrder[i];
      const story = this.stories.get(key);
      if (!story) continue;
      const entry = { key, changes: [...story.changes] };
      if (!words || searchable(entry).includes(words)) out.push(entry);
    }
    return out;
  }

  close(): void {}

  /** Puts back a row a subclass kept (at start). */
  protected restore(kind: 'log' | 'dup' | 'optout' | 'held' | 'count', key: string, value: unknown, expiresAt?: number): void {
    if (value === undefined) {
      if (kind === 'log') this.logs.delete(key);
      else if (kind === 'dup') this.duplicates.delete(key);
      return;
    }
    switch (kind) {
      case 'log': {
        const log = value as number[];
        if (!log.length) break;
        this.logs.set(key, log);
        // Forgotten when its last entry leaves the window (when it was written to expire); a log read without that, at its last entry.
        const last = log[log.length - 2];
        this.expiringLogs.push(key, expiresAt ?? last, last);
        break;
      }
      case 'dup': {
        const entry = value as DuplicateEntry;
        this.duplicates.set(key, entry);
        this.expiringTexts.push(key, entry.expiresAt, entry.at);
        break;
      }
      case 'optout':
        this.opted.set(key, value as OptOutEntry);
        break;
      case 'held':
        this.holding.set(key, value as HeldRecord);
        break;
      case 'count':
        if (key in this.counts) this.counts[key as PolicyCounter] = Number(value) || 0;
        break;
    }
  }

  /** a row of the state changed (undefined: it is gone); `expiresAt`: it may be forgotten then */
  protected changed(_kind: 'log' | 'dup' | 'optout' | 'held' | 'count', _key: string, _value: unknown, _expiresAt?: number): void {}
}
