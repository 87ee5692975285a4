/**
 * Writes a store gathers and commits together (group commit): per table,
 * the last write of each row only (undefined: the row is removed). A row
 * new to the store is committed only once it has waited a whole interval,
 * so that a message answered within it never reaches the store; a row made
 * and removed before any commit is forgotten at once. What the store holds
 * is known by key, so that only those rows need a removal.
 */
export type RowKey = string | number;
/** a row a commit takes; `forget`: its key need not be known once stored (see write) */
export type GatheredRow<T extends string> = [table: T, key: RowKey, value: unknown, forget?: boolean];

/**
 * `all`: everything gathered; `aged` (the interval's commit): rows the store
 * holds, and new rows once they have waited a whole interval; `known`: only
 * rows the store holds (what a settled message's removal needs).
 */
export type CommitMode = 'all' | 'aged' | 'known';

/** a new row gathered: its last value, when it was first written, and whether its key is forgotten once stored */
type Fresh = [value: unknown, bornAt: number, forget: boolean];

/**
 * Per table, the rows the store holds (their last write) apart from the new
 * ones, which are kept in the order they were made, so in the order they
 * age: a commit takes what it needs without passing over what it leaves (a
 * burst of new rows is not walked again by every commit of removals).
 */
export class GatheredWrites<T extends string> {
  /** writes of rows the store holds (undefined: a removal) */
  private readonly known = {} as Record<T, Map<RowKey, unknown>>;
  /** rows new to the store, oldest first */
  private readonly fresh = {} as Record<T, Map<RowKey, Fresh>>;
  private readonly stored = {} as Record<T, Set<RowKey>>;
  /** rows gathered (0: nothing to commit) */
  count = 0;

  constructor(
    private readonly tables: readonly T[],
    private readonly intervalMs: number,
  ) {
    for (const table of tables) {
      this.known[table] = new Map();
      this.fresh[table] = new Map();
      this.stored[table] = new Set();
    }
  }

  /**
   * `forget`: a new row whose key need not be known once stored: a parked
   * request and its message, which are read back (and so known again)
   * before anything changes them. A million of them then cost no memory.
   */
  write(table: T, key: RowKey, value: unknown, forget = false): void {
    if (this.stored[table].has(key)) {
      const known = this.known[table];
      if (!known.has(key)) this.count++;
      known.set(key, value);
      return;
    }
    const fresh = this.fresh[table];
    const entry = fresh.get(key);
    if (value === undefined) {
      // Made and removed before any commit (or never made here): nothing to remove.
      if (entry && fresh.delete(key)) this.count--;
      return;
    }
    if (entry) entry[0] = value;
    else {
      fresh.set(key, [value, Date.now(), forget]);
      this.count++;
    }
  }

  /** Whether a row is gathered, and its value (undefined: to be removed). */
  has(table: T, key: RowKey): boolean {
    return this.known[table].has(key) || this.fresh[table].has(key);
  }

  get(table: T, key: RowKey): unknown {
    const known = this.known[table];
    return known.has(key) ? known.get(key) : this.fresh[table].get(key)?.[0];
  }

  /** The first value gathered in a table that `test` takes (a lookup by something else than the key: rare, and over few rows). */
  find(table: T, test: (value: unknown) => boolean): unknown {
    for (const value of this.known[table].values()) if (value !== undefined && test(value)) return value;
    for (const entry of this.fresh[table].values()) if (test(entry[0])) return entry[0];
    return undefined;
  }

  holds(table: T, key: RowKey): boolean {
    return this.stored[table].has(key);
  }

  /** A row found in the store (read at start, or made there by another). */
  found(table: T, key: RowKey): void {
    this.stored[table].add(key);
    // A write gathered before it was known as stored is a write of a stored row now.
    const entry = this.fresh[table].get(key);
    if (!entry) return;
    this.fresh[table].delete(key);
    this.known[table].set(key, entry[0]);
  }

  /** The rows a commit takes now, and how many it leaves gathered. */
  take(mode: CommitMode): { batch: Array<GatheredRow<T>>; left: number } {
    const batch: Array<GatheredRow<T>> = [];
    let left = 0;
    const bornBy = mode === 'all' ? Infinity : mode === 'aged' ? Date.now() - this.intervalMs : -Infinity;
    for (const table of this.tables) {
      for (const [key, value] of this.known[table]) batch.push([table, key, value]);
      const fresh = this.fresh[table];
      let taken = 0;
      for (const [key, entry] of fresh) {
        if (entry[1] > bornBy) break;
        batch.push(entry[2] ? [table, key, entry[0], true] : [table, key, entry[0]]);
        taken++;
      }
      left += fresh.size - taken;
    }
    return { batch, left };
  }

  /** The store has the batch `take` gave: its rows leave the gathering (all of them when `left` is 0). */
  committed(batch: ReadonlyArray<GatheredRow<T>>, left: number): void {
    for (const [table, key, value, forget] of batch) {
      if (value === undefined) this.stored[table].delete(key);
      else if (!forget) this.stored[table].add(key);
    }
    if (left) {
      for (const [table, key] of batch) {
        if (!this.known[table].delete(key)) this.fresh[table].delete(key);
      }
      this.count = left;
      return;
    }
    for (const table of this.tables) {
      this.known[table].clear();
      this.fresh[table].clear();
    }
    this.count = 0;
  }
}
