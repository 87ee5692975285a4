/**
 * Writes a store gathers and commits together (group commit): per table,
 * the last write of each row only (undefined: the row is removed). A row
 * new to the store is committed only once it has waited a whole interval,
 * so that a message answered within it never reaches the store; a row made
 * and removed before any commit is forgotten. What the store holds is known
 * by key, so that only those rows need a removal.
 */
export type RowKey = string | number;
export type GatheredRow<T extends string> = [table: T, key: RowKey, value: unknown];

/**
 * `all`: everything gathered; `aged` (the interval's commit): rows the store
 * holds, and new rows once they have waited a whole interval; `known`: only
 * rows the store holds (what a settled message's removal needs).
 */
export type CommitMode = 'all' | 'aged' | 'known';

export class GatheredWrites<T extends string> {
  private readonly pending = {} as Record<T, Map<RowKey, unknown>>;
  /** when each row new to the store was first written */
  private readonly born = {} as Record<T, Map<RowKey, number>>;
  private readonly stored = {} as Record<T, Set<RowKey>>;
  /** writes gathered since the last commit took them all (0: nothing to commit) */
  count = 0;

  constructor(
    private readonly tables: readonly T[],
    private readonly intervalMs: number,
  ) {
    for (const table of tables) {
      this.pending[table] = new Map();
      this.born[table] = new Map();
      this.stored[table] = new Set();
    }
  }

  write(table: T, key: RowKey, value: unknown): void {
    this.pending[table].set(key, value);
    this.count++;
    if (this.stored[table].has(key)) return;
    const born = this.born[table];
    if (value === undefined) born.delete(key);
    else if (!born.has(key)) born.set(key, Date.now());
  }

  /** The rows gathered in a table and not committed yet, by key (undefined: to be removed). */
  rows(table: T): ReadonlyMap<RowKey, unknown> {
    return this.pending[table];
  }

  holds(table: T, key: RowKey): boolean {
    return this.stored[table].has(key);
  }

  /** A row found in the store (read at start). */
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
      const born = this.born[table];
      const pending = this.pending[table];
      for (const [key, value] of pending) {
        if (!stored.has(key)) {
          if (value === undefined) {
            // Made and removed before any commit: nothing to remove, and nothing to look at again.
            pending.delete(key);
            continue;
          }
          if (mode === 'known' || (mode === 'aged' && (born.get(key) ?? 0) > youngerThan)) {
            left++;
            continue;
          }
        }
        batch.push([table, key, value]);
      }
    }
    return { batch, left };
  }

  /** The store has the batch `take` gave: its rows leave the gathering (all of them when `left` is 0). */
  committed(batch: ReadonlyArray<GatheredRow<T>>, left: number): void {
    for (const [table, key, value] of batch) {
      const stored = this.stored[table];
      if (value === undefined) stored.delete(key);
      else stored.add(key);
    }
    if (left) {
      for (const [table, key] of batch) {
        this.pending[table].delete(key);
        this.born[table].delete(key);
      }
      this.count = left;
      return;
    }
    for (const table of this.tables) {
      this.pending[table].clear();
      this.born[table].clear();
    }
    this.count = 0;
  }
}
