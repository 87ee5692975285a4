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

/** a gathered row: its last value, when it was first written (for a row new to the store), and whether its key is forgotten once stored */
type Entry = [value: unknown, bornAt: number, forget: boolean];

export class GatheredWrites<T extends string> {
  private readonly pending = {} as Record<T, Map<RowKey, Entry>>;
  private readonly stored = {} as Record<T, Set<RowKey>>;
  /** rows gathered (0: nothing to commit) */
  count = 0;

  constructor(
    private readonly tables: readonly T[],
    private readonly intervalMs: number,
  ) {
    for (const table of tables) {
      this.pending[table] = new Map();
      this.stored[table] = new Set();
    }
  }

  /**
   * `forget`: a new row whose key need not be known once stored: a parked
   * request and its message, which are read back (and so known again)
   * before anything changes them. A million of them then cost no memory.
   */
  write(table: T, key: RowKey, value: unknown, forget = false): void {
    const rows = this.pending[table];
    const entry = rows.get(key);
    if (value === undefined && !this.stored[table].has(key)) {
      // Made and removed before any commit (or never made here): nothing to remove.
      if (entry && rows.delete(key)) this.count--;
      return;
    }
    if (entry) entry[0] = value;
    else {
      rows.set(key, [value, Date.now(), forget && !this.stored[table].has(key)]);
      this.count++;
    }
  }

  /** Whether a row is gathered, and its value (undefined: to be removed). */
  has(table: T, key: RowKey): boolean {
    return this.pending[table].has(key);
  }

  get(table: T, key: RowKey): unknown {
    return this.pending[table].get(key)?.[0];
  }

  /** The first value gathered in a table that `test` takes (a lookup by something else than the key: rare, and over few rows). */
  find(table: T, test: (value: unknown) => boolean): unknown {
    for (const entry of this.pending[table].values()) if (entry[0] !== undefined && test(entry[0])) return entry[0];
    return undefined;
  }

  holds(table: T, key: RowKey): boolean {
    return this.stored[table].has(key);
  }

  /** A row found in the store (read at start, or made there by another). */
  found(table: T, key: RowKey): void {
    this.stored[table].add(key);
  }

  /** The rows a commit takes now, and how many it leaves gathered. */
  take(mode: CommitMode): { batch: Array<GatheredRow<T>>; left: number } {
    const batch: Array<GatheredRow<T>> = [];
    let left = 0;
    const youngerThan = mode === 'aged' ? Date.now() - this.intervalMs : 0;
    for (const table of this.tables) {
      const stored = this.stored[table];
      for (const [key, entry] of this.pending[table]) {
        if (!stored.has(key) && (mode === 'known' || (mode === 'aged' && entry[1] > youngerThan))) {
          left++;
          continue;
        }
        batch.push(entry[2] ? [table, key, entry[0], true] : [table, key, entry[0]]);
      }
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
      for (const [table, key] of batch) this.pending[table].delete(key);
      this.count = left;
      return;
    }
    for (const table of this.tables) this.pending[table].clear();
    this.count = 0;
  }
}
