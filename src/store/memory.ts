/**
 * The store in memory: nothing survives a restart. For tests, and for users
 * who choose it. Two clients given one MemoryStore share its reports, as two
 * Node-RED instances share a database.
 */
import { DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialRecord, PartialStore, ReportStore, Store } from './store';
import { RecentMap, TieredMap } from '../bounded';

/**
 * The journal and the outbox in memory keep nothing: what waits lives in the
 * client and its account already, and nothing outlives the process, so
 * there is nothing to carry over (a closed account fails what waited).
 */
class MemoryMessages implements MessageJournal {
  add(): void {}
  update(): void {}
  remove(): void {}
  settle(_key: string, then: () => void): void {
    then();
  }
  load(): MessageRecord[] {
    return [];
  }
}

class MemoryOutbox implements Outbox {
  add(): void {}
  update(): void {}
  remove(): void {}
  load(): OutboxEntry[] {
    return [];
  }
}

class MemoryReports implements ReportStore {
  private readonly groups = new TieredMap<string, ExpectationRecord>();
  private readonly byId = new TieredMap<string, string>();
  save(record: ExpectationRecord): void {
    this.groups.set(record.key, record);
    for (const id of Object.values(record.ids)) this.byId.set(id, record.key);
  }
  remove(key: string): void {
    const record = this.groups.get(key);
    if (!record) return;
    this.groups.delete(key);
    for (const id of Object.values(record.ids)) if (this.byId.get(id) === key) this.byId.delete(id);
  }
  findById(id: string): ExpectationRecord | undefined {
    const key = this.byId.get(id);
    return key === undefined ? undefined : this.groups.get(key);
  }
  has(key: string): boolean {
    return this.groups.has(key);
  }
  load(): ExpectationRecord[] {
    return [...this.groups.values()];
  }
}

class MemoryPartials implements PartialStore {
  private readonly records = new Map<string, PartialRecord>();
  save(record: PartialRecord): void {
    this.records.set(record.key, record);
  }
  remove(key: string): void {
    this.records.delete(key);
  }
  load(): PartialRecord[] {
    return [...this.records.values()];
  }
}

/** Keeps the newest `max` keys, the oldest forgotten first (the durable stores use it too: a DELIVER sent again just after a restart is rare). */
export class MemoryDedup implements DedupStore {
  private readonly seen: RecentMap<number>;

  constructor(max = 10000) {
    this.seen = new RecentMap<number>(max);
  }

  get(key: string): number | undefined {
    return this.seen.get(key);
  }

  set(key: string, value: number): void {
    this.seen.set(key, value);
  }
}

export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly location = 'memory';
  readonly messages = new MemoryMessages();
  readonly outbox = new MemoryOutbox();
  readonly reports = new MemoryReports();
  readonly partials = new MemoryPartials();
  readonly dedup = new MemoryDedup();
  /** nothing is written anywhere: every write is as durable as it will be */
  afterCommit(then: () => void): void {
    then();
  }
  close(): void {
    // nothing to flush
  }
}
