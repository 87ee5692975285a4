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
 * holds the older entries). Once the large map holds `filterFrom` string
 * keys, a filter tells most keys it does not hold without a lookup in it:
 * a new key (every send's) would otherwise cost a miss in a large table,
 * a few cache misses each, once per map it is set in.
 */
export class TieredMap<K, V> {
  private older = new Map<K, V>();
  private newer = new Map<K, V>();
  private filter?: KeyFilter;

  constructor(
    private readonly newerAtMost = 1024,
    private readonly filterFrom = 4096,
  ) {}

  get size(): number {
    return this.older.size + this.newer.size;
  }

  get(key: K): V | undefined {
    const value = this.newer.get(key);
    return value !== undefined || this.newer.has(key) || !this.olderMayHave(key) ? value : this.older.get(key);
  }

  has(key: K): boolean {
    return this.newer.has(key) || (this.olderMayHave(key) && this.older.has(key));
  }

  set(key: K, value: V): this {
    if (this.olderMayHave(key) && this.older.has(key)) this.older.set(key, value);
    else {
      this.newer.set(key, value);
      if (this.newer.size > this.newerAtMost) this.settle();
    }
    return this;
  }

  delete(key: K): boolean {
    return this.newer.delete(key) || (this.olderMayHave(key) && this.older.delete(key));
  }

  *values(): IterableIterator<V> {
    yield* this.older.values();
    yield* this.newer.values();
  }

  private olderMayHave(key: K): boolean {
    return this.filter === undefined || typeof key !== 'string' || this.filter.mayHave(key);
  }

  /** The newer entries join the older, in their order; the filter follows (made anew once it holds far more or fewer keys than the map). */
  private settle(): void {
    if (!this.older.size) [this.older, this.newer] = [this.newer, this.older];
    else {
      for (const [key, value] of this.newer) {
        this.older.set(key, value);
        if (typeof key === 'string') this.filter?.add(key);
      }
      this.newer.clear();
    }
    const size = this.older.size;
    if (size < this.filterFrom) this.filter = undefined;
    else if (!this.filter || this.filter.added > 2 * this.filter.capacity || this.filter.added > 4 * size) {
      this.filter = new KeyFilter(2 * size);
      for (const key of this.older.keys()) if (typeof key === 'string') this.filter.add(key);
    }
  }
}

/**
 * Which strings a set may hold, in 8 bits a key and two probes (a Bloom
 * filter): "no" is sure, "maybe" is wrong for about one absent key in
 * twenty. Keys are never taken out: it is made anew from the set's keys.
 */
class KeyFilter {
  private readonly bits: Int32Array;
  private readonly mask: number;
  /** keys added, those since removed from the set among them */
  added = 0;

  constructor(readonly capacity: number) {
    let size = 1024;
    while (size < capacity * 8) size *= 2;
    this.bits = new Int32Array(size / 32);
    this.mask = size - 1;
  }

  add(key: string): void {
    const h = hash(key);
    const a = h & this.mask;
    const b = secondHash(h) & this.mask;
    this.bits[a >>> 5] |= 1 << (a & 31);
    this.bits[b >>> 5] |= 1 << (b & 31);
    this.added++;
  }

  mayHave(key: string): boolean {
    const h = hash(key);
    const a = h & this.mask;
    if ((this.bits[a >>> 5] & (1 << (a & 31))) === 0) return false;
    const b = secondHash(h) & this.mask;
    return (this.bits[b >>> 5] & (1 << (b & 31))) !== 0;
  }
}

/** FNV-1a over the string's code units */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function secondHash(h: number): number {
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}
