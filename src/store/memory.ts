/**
 * The store in memory: nothing survives a restart. For tests, and for users
 * who choose it. Two clients given one MemoryStore share its reports, as two
 * Node-RED instances share a database.
 */
import { DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialRecord, PartialStore, ReportStore, Store } from './store';

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
  private readonly groups = new Map<string, ExpectationRecord>();
  private readonly byId = new Map<string, string>();
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

/** Keeps the newest `max` keys (the durable stores use it too: a DELIVER sent again just after a restart is rare). */
/**
 * The keys seen last, at most `max`, the oldest forgotten first. The order
 * is a queue of its own: taking the oldest key from a Map that has had many
 * deletions walks past every deleted slot (45 us a receipt at 100,000), a
 * queue's head is one step whatever the size.
 */
export class MemoryDedup implements DedupStore {
  /** key -> its value, and the turn it was last set in (an older turn in the queue is stale) */
  private readonly seen = new Map<string, { value: number; turn: number }>();
  private queue: Array<{ key: string; turn: number }> = [];
  private head = 0;
  private turns = 0;

  constructor(private readonly max = 10000) {}

  get(key: string): number | undefined {
    return this.seen.get(key)?.value;
  }

  set(key: string, value: number): void {
    const turn = ++this.turns;
    this.seen.set(key, { value, turn });
    this.queue.push({ key, turn });
    while (this.seen.size > this.max) {
      const oldest = this.queue[this.head++];
      if (this.seen.get(oldest.key)?.turn === oldest.turn) this.seen.delete(oldest.key);
    }
    // Taken and stale entries are dropped now and then, so that the queue follows the map.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queue.length > 2 * this.max + 1024) {
      this.queue = [...this.seen].map(([k, v]) => ({ key: k, turn: v.turn })).sort((a, b) => a.turn - b.turn);
      this.head = 0;
    }
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
