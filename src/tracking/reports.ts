/**
 * Matches delivery reports to what was sent, for any channel. Each sent part
 * is expected under the id the carrier gave it; parts of one message to one
 * recipient form a group, reported once when every part has a final state.
 * Expectations live `ttlMs` (48 h by default, CMPP's default wait for a
 * report) and at most `maxPending` groups; a group that times out or is
 * pushed out is still reported, as `unknown`, so nothing vanishes unseen.
 * A report may arrive before the carrier's answer that tells its id (in the
 * same TCP read, or ahead of it under load): it is held `earlyHoldMs` for
 * its expectation, and only then reported as unmatched. Expectations are
 * written through a ReportStore: a report for a message that another
 * instance (or an earlier run) sent is matched from the store, and a group
 * that someone else has reported is not reported again as unknown.
 * A carrier may give an id again while an earlier part with that id still
 * waits (a modem's 8-bit reference starts over after 256 sends; an SMSC
 * numbers again after its restart): both wait, and a report for that id
 * goes to the oldest, as a network reports one number's messages in the
 * order they were sent. The later is never handed the earlier's report.
 */
import { EventEmitter } from 'node:events';
import { SmsError } from '../errors';
import { TieredMap } from '../bounded';
import { MemoryStore } from '../store/memory';
import { ExpectationRecord, PartOutcome, ReportStore, when } from '../store/store';

export type DeliveryStatus = 'delivered' | 'expired' | 'deleted' | 'undeliverable' | 'rejected' | 'unknown' | 'pending';

export interface DeliveryReport<C = unknown> {
  channel: string;
  /** the carrier's id of the (first) part */
  id: string;
  to: string;
  status: DeliveryStatus;
  /** the carrier's own word (DELIVRD, UNDELIV, MA:0001, a QuerySM code, ...) */
  detail: string;
  submittedAt?: string;
  doneAt?: string;
  /** for a message of several parts */
  parts?: { total: number; delivered: number; failed: number };
  /** what the sender attached when it sent the message */
  correlation?: C;
  /** false when no send was waiting for this report (sent before a restart, say) */
  matched: boolean;
}

export interface Expectation<C> {
  /** parts of one message to one recipient share a group */
  group: string;
  to: string;
  part: number;
  total: number;
  submittedAt: string;
  correlation?: C;
  /** the id to show on the report when the key passed to expect() is not the carrier's id */
  carrierId?: string;
}

/** How a client's part waiter asks for a part's report: by the id its answer gave. */
export type ExpectReport = (id: string, expectation: Expectation<unknown>) => void;

export type Outcome = PartOutcome;

type Group<C> = ExpectationRecord<C>;

/** A part waiting for its report; `earlier`: a part sent before it under the same id, still waiting too. */
interface Waiting<C> {
  group: Group<C>;
  part: number;
  earlier?: Waiting<C>;
}

/** when a held report asks the store again for its expectation */
const LOOKUP_RETRIES_MS = [100, 500, 2000, 5000];

export interface ReportTrackerOptions {
  channel: string;
  ttlMs?: number;
  maxPending?: number;
  /** how long a report nobody expects yet waits for its expectation (default 10 s) */
  earlyHoldMs?: number;
  /** reports held at most (default 10000); past it the oldest is reported unmatched */
  maxEarly?: number;
  /** where expectations are written (default: memory of its own) */
  store?: ReportStore;
  now?: () => number;
}

interface EarlyReport {
  outcome: Outcome;
  heldUntil: number;
}

export declare interface ReportTracker<C> {
  on(event: 'report', listener: (report: DeliveryReport<C>) => void): this;
  /** a report listener threw, or the store could not be asked */
  on(event: 'error', listener: (err: Error) => void): this;
}

export class ReportTracker<C = unknown> extends EventEmitter {
  private readonly byId = new TieredMap<string, Waiting<C>>();
  private readonly groups = new TieredMap<string, Group<C>>();
  private readonly store: ReportStore;
  private readonly expiring = new Set<string>();
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private readonly early = new Map<string, EarlyReport>();
  private readonly earlyHoldMs: number;
  private readonly maxEarly: number;
  private sweeper?: NodeJS.Timeout;
  private earlyTimer?: NodeJS.Timeout;
  readonly counts = { expired: 0, dropped: 0, unmatched: 0, early: 0 };

  constructor(private readonly options: ReportTrackerOptions) {
    super();
    this.ttlMs = options.ttlMs ?? 48 * 3600 * 1000;
    this.maxPending = options.maxPending ?? 100000;
    this.earlyHoldMs = options.earlyHoldMs ?? 10000;
    this.maxEarly = options.maxEarly ?? 10000;
    this.now = options.now ?? Date.now;
    this.store = options.store ?? new MemoryStore().reports;
  }

  /** Takes up the expectations the store kept (after a restart); resolves with how many. */
  async restore(): Promise<number> {
    const records = (await this.store.load()) as Array<Group<C>>;
    for (const record of records) this.adopt(record);
    return records.length;
  }

  /** reports waiting for the answer that tells their id */
  get held(): number {
    return this.early.size;
  }

  get pending(): number {
    return this.groups.size;
  }

  /** True when a sent message waits for a report under this id. */
  expects(id: string): boolean {
    return this.byId.has(id);
  }

  expect(id: string, e: Expectation<C>): void {
    let group = this.groups.get(e.group);
    if (!group) {
      if (this.groups.size >= this.maxPending) {
        const oldest = this.groups.values().next().value as Group<C>;
        this.counts.dropped++;
        this.finish(oldest, 'DROPPED: too many reports pending');
      }
      group = { key: e.group, to: e.to, total: e.total, ids: {}, shown: {}, outcomes: {}, submittedAt: e.submittedAt, correlation: e.correlation, expiresAt: this.now() + this.ttlMs };
      this.groups.set(e.group, group);
      this.armSweeper();
    }
    group.ids[e.part] = id;
    if (e.carrierId !== undefined) group.shown[e.part] = e.carrierId;
    this.wait(id, group, e.part);
    this.store.save(group);
    const early = this.early.get(id);
    if (early) {
      this.early.delete(id);
      this.counts.early++;
      this.resolve(id, early.outcome);
    }
  }

  /** Records a report; returns false when nothing was waiting for it (it is still emitted). */
  resolve(id: string, outcome: Outcome): boolean {
    if (outcome.status === 'pending') return this.byId.has(id);
    const entry = this.oldest(id);
    if (!entry) {
      this.hold(id, outcome);
      // Perhaps another instance sent it, or this one before a restart: ask the
      // store now, and again a little later (another instance's write may land after the report).
      this.lookUp(id);
      for (const delay of LOOKUP_RETRIES_MS) {
        if (delay >= this.earlyHoldMs) break;
        setTimeout(() => this.lookUp(id), delay).unref?.();
      }
      return false;
    }
    this.unwait(id, entry.group);
    const { group } = entry;
    group.outcomes[entry.part] = outcome;
    if (Object.keys(group.outcomes).length === group.total) this.finish(group);
    else this.store.save(group);
    return true;
  }

  private lookUp(id: string): void {
    if (!this.early.has(id)) return;
    when(this.store.findById(id), (record) => {
      if (record && this.early.has(id)) this.adopt(record as Group<C>);
    });
  }

  /** Takes a group from the store into memory, and matches the reports held for it. */
  private adopt(record: Group<C>): void {
    if (this.groups.has(record.key)) return;
    this.groups.set(record.key, record);
    this.armSweeper();
    for (const [part, id] of Object.entries(record.ids)) {
      if (record.outcomes[Number(part)]) continue;
      this.wait(id, record, Number(part));
      const held = this.early.get(id);
      if (held) {
        this.early.delete(id);
        this.counts.early++;
        this.resolve(id, held.outcome);
      }
    }
  }

  /** A part waits under `id`, after any other part still waiting under it (the same part again replaces itself). */
  private wait(id: string, group: Group<C>, part: number): void {
    let earlier = this.byId.get(id);
    if (earlier && earlier.group.key === group.key && earlier.part === part) earlier = earlier.earlier;
    this.byId.set(id, earlier ? { group, part, earlier } : { group, part });
  }

  /** The part that has waited longest under `id`: the one its report is for. */
  private oldest(id: string): Waiting<C> | undefined {
    let entry = this.byId.get(id);
    while (entry?.earlier) entry = entry.earlier;
    return entry;
  }

  /** The group's part waits no more under `id`; another part waiting under it stays. */
  private unwait(id: string, group: Group<C>): void {
    const newest = this.byId.get(id);
    const rest = without(newest, group.key);
    if (rest === newest) return;
    if (rest) this.byId.set(id, rest);
    else this.byId.delete(id);
  }

  /** Stops the timers; what is pending stays unreported, what is held is reported unmatched. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    clearTimeout(this.earlyTimer);
    this.earlyTimer = undefined;
    for (const id of [...this.early.keys()]) this.unmatched(id);
  }

  private hold(id: string, outcome: Outcome): void {
    if (this.earlyHoldMs <= 0) {
      this.emitUnmatched(id, outcome);
      return;
    }
    if (this.early.has(id)) this.unmatched(id); // the same id twice: the first one has had its chance
    if (this.early.size >= this.maxEarly) this.unmatched(this.early.keys().next().value as string);
    this.early.set(id, { outcome, heldUntil: this.now() + this.earlyHoldMs });
    this.armEarlyTimer();
  }

  private unmatched(id: string): void {
    const held = this.early.get(id);
    if (!held) return;
    this.early.delete(id);
    this.emitUnmatched(id, held.outcome);
  }

  private emitUnmatched(id: string, outcome: Outcome): void {
    this.counts.unmatched++;
    this.hand({ channel: this.options.channel, id, to: outcome.to ?? '', status: outcome.status, detail: outcome.detail, submittedAt: outcome.submittedAt, doneAt: outcome.doneAt, matched: false });
  }

  /** One timer for the oldest held report (they are held in arrival order, so in expiry order). */
  private armEarlyTimer(): void {
    if (this.earlyTimer) return;
    const first = this.early.values().next().value;
    if (!first) return;
    this.earlyTimer = setTimeout(
      () => {
        this.earlyTimer = undefined;
        const now = this.now();
        for (const [id, held] of this.early) {
          if (held.heldUntil > now) break;
          this.unmatched(id);
        }
        this.armEarlyTimer();
      },
      Math.max(1, first.heldUntil - this.now()),
    );
    this.earlyTimer.unref?.();
  }

  private finish(group: Group<C>, missing?: string): void {
    this.groups.delete(group.key);
    for (const id of Object.values(group.ids)) this.unwait(id, group);
    this.store.remove(group.key);
    let delivered = 0;
    let failed = 0;
    let worst: Outcome | undefined;
    let doneAt: string | undefined;
    const received = Object.keys(group.outcomes).length;
    for (let part = 1; part <= group.total; part++) {
      const o = group.outcomes[part];
      if (o?.status === 'delivered') delivered++;
      else if (o) failed++;
      if (o && o.status !== 'delivered' && !worst) worst = o;
      if (o?.doneAt && (!doneAt || o.doneAt > doneAt)) doneAt = o.doneAt;
    }
    const complete = received === group.total;
    // A message is delivered when every part is; otherwise it takes the first failed part's state.
    const status = worst ? worst.status : complete ? 'delivered' : 'unknown';
    const detail = !complete ? (missing ?? 'no report in time') : worst ? worst.detail : group.outcomes[1].detail;
    const report: DeliveryReport<C> = {
      channel: this.options.channel,
      id: group.shown[1] ?? group.ids[1] ?? Object.values(group.ids)[0] ?? '',
      to: group.to,
      status,
      detail,
      submittedAt: group.submittedAt,
      doneAt,
      correlation: group.correlation,
      matched: true,
    };
    if (group.total > 1) report.parts = { total: group.total, delivered, failed };
    this.hand(report);
  }

  /** Hands a report on; a listener that throws is an 'error' event, the same on every channel, never a lost report or an unhandled rejection. */
  private hand(report: DeliveryReport<C>): void {
    try {
      this.emit('report', report);
    } catch (err) {
      this.emit('error', err);
    }
  }

  /** No report in time: reported unknown, unless another instance has reported it meanwhile. */
  private expire(group: Group<C>): void {
    if (this.expiring.has(group.key)) return;
    this.expiring.add(group.key);
    const waited = `no report within ${Math.round(this.ttlMs / 1000)} s`;
    const decide = (waiting: boolean, why?: string): void => {
      this.expiring.delete(group.key);
      if (this.groups.get(group.key) !== group) return; // reported meanwhile
      if (!waiting) {
        this.groups.delete(group.key);
        for (const id of Object.values(group.ids)) this.unwait(id, group);
        return;
      }
      this.counts.expired++;
      this.finish(group, why ? `${waited} (${why})` : waited);
    };
    // A store that cannot be asked leaves the group with nobody to report it: it ends unknown here, saying why.
    const unreachable = (err: Error): void => {
      this.emit('error', new SmsError('STORE_UNREACHABLE', `the store could not say whether the report of ${group.to} (${group.key}) was given elsewhere: ${err.message}; reported as unknown`));
      decide(true, `the store could not be asked: ${err.message}`);
    };
    try {
      when(this.store.claim ? this.store.claim(group.key) : this.store.has(group.key), decide, unreachable);
    } catch (err) {
      unreachable(err as Error);
    }
  }

  private armSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.min(60000, Math.floor(this.ttlMs / 4)));
    this.sweeper = setInterval(() => {
      const now = this.now();
      for (const group of this.groups.values()) {
        if (group.expiresAt > now) break; // groups are in insertion order, so in expiry order
        this.expire(group);
      }
      if (!this.groups.size) this.close();
    }, every);
    this.sweeper.unref?.();
  }
}

/** The chain of parts waiting under one id, without the group's (the rest shared, not copied). */
function without<C>(entry: Waiting<C> | undefined, key: string): Waiting<C> | undefined {
  if (!entry) return undefined;
  const earlier = without(entry.earlier, key);
  if (entry.group.key === key) return earlier;
  return earlier === entry.earlier ? entry : { group: entry.group, part: entry.part, earlier };
}
