/**
 * What a gateway must not forget, behind one set of seams: the outbox
 * (messages accepted and not yet answered by the carrier), the report
 * expectations (what was sent, its correlation data, its parts), the
 * incoming long messages still missing parts, and the DELIVERs answered
 * lately. The core writes through these interfaces; an implementation keeps
 * them in memory, in an embedded database or in a shared one. A method may
 * answer at once or with a promise.
 */
import type { SmsError } from '../errors';
import type { DeliveryStatus } from '../tracking/reports';
import type { Body } from '../wire/fields';

export type MaybePromise<T> = T | Promise<T>;

/** Runs `then` with the value, at once when it is there, else when the promise settles. */
export function when<T>(value: MaybePromise<T>, then: (v: T) => void, fail?: (err: Error) => void): void {
  if (value instanceof Promise) value.then(then, fail ?? (() => undefined));
  else then(value);
}

/** One message in the outbox: plain data. */
export interface OutboxEntry {
  id: number;
  command: string;
  body: Body;
  enqueuedAt: number;
  tries: number;
  /** it left at least once: the carrier may have it */
  sent: boolean;
  flowRetries: number;
  /** the message (journal key) this request is part of, and what its answer needs (part, recipients) */
  message?: string;
  meta?: unknown;
  /** it waited in the store alone, nothing of it in memory (see Parking), until read back */
  parked?: boolean;
}

export interface Outbox {
  add(entry: OutboxEntry): void;
  /** its tries or state changed (or, after a restart, it is a new object for a kept entry) */
  update(entry: OutboxEntry): void;
  /** it has its outcome */
  remove(id: number): void;
  /**
   * These leave for the first time now: a store that keeps them on disk
   * writes down, before it returns, that they may have left (`sent`), so
   * that a crash a moment later never sends them again. Those it does not
   * keep yet need nothing: they reach the disk marked sent, or not at all.
   */
  leaving?(entries: OutboxEntry[]): void;
  /** what waited when the store was opened, in order */
  load(): MaybePromise<OutboxEntry[]>;
}

export interface PartOutcome {
  status: DeliveryStatus;
  detail: string;
  doneAt?: string;
  submittedAt?: string;
  to?: string;
}

/** The parts of one message to one recipient, waiting for their reports. */
export interface ExpectationRecord<C = unknown> {
  key: string;
  to: string;
  total: number;
  /** part -> the key its report is matched by */
  ids: Record<number, string>;
  /** part -> the carrier's id to show, where it differs from the key */
  shown: Record<number, string>;
  outcomes: Record<number, PartOutcome>;
  submittedAt: string;
  correlation?: C;
  expiresAt: number;
}

/** Whether a gathered value is an expectation one of whose parts has carrier id `id` (a lookup among the few not yet written). */
export const carriesId =
  (id: string) =>
  (value: unknown): boolean =>
    Object.values((value as ExpectationRecord).ids).includes(id);

export interface ReportStore {
  /** a group was made or changed */
  save(record: ExpectationRecord): void;
  /** a group was reported: nobody waits for it any more */
  remove(key: string): void;
  /** the group waiting for this id, made by another instance or an earlier run */
  findById(id: string): MaybePromise<ExpectationRecord | undefined>;
  /** is this group still waiting (not reported by anyone)? */
  has(key: string): MaybePromise<boolean>;
  /** takes a group to report it as unknown: true only for the one that took it (shared stores) */
  claim?(key: string): MaybePromise<boolean>;
  load(): MaybePromise<ExpectationRecord[]>;
}

/** The parts of an incoming long message that have arrived. */
export interface PartialRecord {
  key: string;
  /** sequence -> the part as received (JSON-safe) */
  parts: Record<number, unknown>;
  firstAt: number;
}

export interface PartialStore {
  save(record: PartialRecord): void;
  remove(key: string): void;
  load(): MaybePromise<PartialRecord[]>;
  /**
   * A store shared by several instances joins there: adds one part and, when
   * every part is in, takes them all (for the one caller that added the last).
   */
  merge?(key: string, sequence: number, part: unknown, total: number, ttlMs: number): Promise<Record<number, unknown> | undefined>;
  /** takes whatever parts are there (a message that timed out): for one caller only */
  take?(key: string): Promise<Record<number, unknown> | undefined>;
}

/**
 * A message the user sent, until its outcome is given: what it was, the
 * sender's correlation data (JSON-safe), and the results of its parts so far.
 * After a restart, a message still here gets its outcome as a msg of its own.
 */
export interface MessageRecord {
  key: string;
  /** the JSON-safe part of what the sender asked (to, encoding, options) and who asked (node id) */
  request: Record<string, unknown>;
  correlation?: unknown;
  /** results of the parts answered so far (channel's PartResult shapes) */
  results: unknown[];
  /** how many results make the message complete */
  expected: number;
  createdAt: number;
  /** it waits in the store alone (see Parking) until its requests are read back */
  parked?: boolean;
}

export interface MessageJournal {
  add(record: MessageRecord): void;
  /** more parts answered */
  update(record: MessageRecord): void;
  remove(key: string): void;
  /**
   * The message has its outcome: removes it and runs `then` once a restart
   * can no longer carry it over (at once when the record never reached the
   * disk, else once its removal is committed), so that an outcome given is
   * never given again.
   */
  settle(key: string, then: () => void): void;
  load(): MaybePromise<MessageRecord[]>;
}

/**
 * A store that can keep waiting requests on disk alone, nothing of them in
 * memory, and read them back a window at a time in the order they were
 * accepted: a queue of a million costs the process what a window costs.
 */
export interface Parking {
  /** the kept requests whose id is above `id`, in id order, at most `limit` */
  after(id: number, limit: number): MaybePromise<OutboxEntry[]>;
  /** how many requests are kept, and the highest id (-1: none) */
  extent(): MaybePromise<{ count: number; last: number }>;
  /** the journal's records of these messages (those it has) */
  messages(keys: string[]): MaybePromise<MessageRecord[]>;
  /** the journal's records of messages no kept request belongs to (every part answered, or none ever queued) */
  orphans(): MaybePromise<MessageRecord[]>;
}

/** Keys seen lately (DELIVER Msg_Ids) with what they were answered. */
export interface DedupStore {
  get(key: string): number | undefined;
  set(key: string, value: number): void;
}

export interface Store {
  /** what kind it is, for messages: memory, sqlite, redis */
  readonly kind: string;
  /** where it lives (a file, a URL without its password), for messages */
  readonly location: string;
  /** why it cannot write now (STORE_WRITE: a full disk, a folder that cannot be written); undefined while it can */
  readonly failure?: SmsError;
  /** `listener` hears each change of `failure`: the store stopped writing (with why), or writes again (undefined) */
  watchHealth?(listener: (failure?: SmsError) => void): void;
  /**
   * Runs `then` once every write made so far is durable (committed), so that
   * an outcome leaves only when a restart cannot undo it. While the store
   * cannot write, `then` runs at once: the outcome is not held back by it.
   */
  afterCommit(then: () => void): void;
  messages: MessageJournal;
  outbox: Outbox;
  reports: ReportStore;
  partials: PartialStore;
  dedup: DedupStore;
  /** present when the store can keep waiting requests on disk alone */
  parking?: Parking;
  close(): MaybePromise<void>;
}
