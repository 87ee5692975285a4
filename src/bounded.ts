/**
 * Records that a long-running simulator keeps (what it received, what each
 * phone got) stay within a bound: past it the oldest entries go.
 */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  // Trimmed in batches, so that a full list does not cost a splice per item.
  if (list.length > max + Math.max(1, Math.floor(max / 10))) list.splice(0, list.length - max);
}

/** Keeps at most `max` keys in a Map, dropping the oldest. */
export function boundMap<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * The keys set last, at most `max`, the oldest forgotten first. The order is
 * a queue of its own: taking the oldest key from a Map that has had many
 * deletions walks past every deleted slot (45 us at 100,000 keys), a
 * queue's head is one step whatever the size.
 */
export class RecentMap<V> {
  /** key -> its value, and the turn it was last set in (an older turn in the queue is stale) */
  private readonly entries = new Map<string, { value: V; turn: number }>();
  private queue: Array<{ key: string; turn: number }> = [];
  private head = 0;
  private turns = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  set(key: string, value: V): void {
    const turn = ++this.turns;
    this.entries.set(key, { value, turn });
    this.queue.push({ key, turn });
    while (this.entries.size > this.max) {
      const oldest = this.queue[this.head++];
      if (this.entries.get(oldest.key)?.turn === oldest.turn) this.entries.delete(oldest.key);
    }
    // Taken and stale entries are dropped now and then, so that the queue follows the map.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // Keys deleted (a report come) leave their turns behind: past twice what is kept, the queue is made anew.
    if (this.queue.length - this.head > 2 * this.entries.size + 1024) {
      this.queue = [...this.entries].map(([k, v]) => ({ key: k, turn: v.turn })).sort((a, b) => a.turn - b.turn);
      this.head = 0;
    }
  }
}

/**
 * A Map for many long-lived entries among many short-lived ones (report
 * expectations: most answered within moments, some waiting for days). New
 * entries go to a small map and move to the large one together once it
 * fills, by when they are old objects themselves. Each insert into a large
 * Map makes its old backing store point at a young object, which every
 * minor collection then has to visit: with 100,000 entries waiting, that
 * cost a third of a send. Iteration keeps insertion order (the large map
 * holds the older entries).
 */
export class TieredMap<K, V> {
  private older = new Map<K, V>();
  private newer = new Map<K, V>();

  constructor(private readonly newerAtMost = 1024) {}

  get size(): number {
    return this.older.size + this.newer.size;
  }

  get(key: K): V | undefined {
    const value = this.newer.get(key);
    return value !== undefined || this.newer.has(key) ? value : this.older.get(key);
  }

  has(key: K): boolean {
    return this.newer.has(key) || this.older.has(key);
  }

  set(key: K, value: V): this {
    if (this.older.has(key)) this.older.set(key, value);
    else {
      this.newer.set(key, value);
      if (this.newer.size > this.newerAtMost) this.settle();
    }
    return this;
  }

  delete(key: K): boolean {
    return this.newer.delete(key) || this.older.delete(key);
  }

  *values(): IterableIterator<V> {
    yield* this.older.values();
    yield* this.newer.values();
  }

  /** The newer entries join the older, in their order. */
  private settle(): void {
    if (!this.older.size) {
      [this.older, this.newer] = [this.newer, this.older];
      return;
    }
    for (const [key, value] of this.newer) this.older.set(key, value);
    this.newer.clear();
  }
}
