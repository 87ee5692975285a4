/**
 * The policy's state in a SQLite file: all of it is read at start and kept
 * in memory, where every check is answered; each change is written to the
 * file, the last one per row, gathered and committed together every
 * `commitIntervalMs` (5 ms by default: the window a kill -9 can forget, the
 * same as the connections' store). What every message writes (a number's
 * log, a text sent) is appended to a journal of events, each with its
 * expiry, and read back in order at start: an append touches the last page
 * of the file, where a keyed row would touch a page anywhere. Expired events
 * are deleted once a minute. The opt-outs, held messages and counts are
 * rows by key. A file that cannot be written keeps the state in memory,
 * says why once, and is tried again with the next change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmsError } from '../errors';
import { fromJson, toJson } from '../store/json';
import { MemoryPolicyStore } from './store';

type Driver = typeof import('better-sqlite3');
type Database = InstanceType<Driver>;
type Kind = 'log' | 'dup' | 'optout' | 'held' | 'count';

export interface SqlitePolicyStoreOptions {
  file: string;
  /** told once when the file cannot be written, and once when it can again */
  onError?: (err: SmsError | undefined) => void;
  now?: () => number;
  /** how often gathered changes are committed (default 5 ms) */
  commitIntervalMs?: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS policy (kind TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, record TEXT, expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS events_expiry ON events (expires_at);
`;

/** the kinds every message writes: appended as events */
const EVENTS: ReadonlySet<Kind> = new Set(['log', 'dup']);
const PRUNE_EVERY_MS = 60_000;

export class SqlitePolicyStore extends MemoryPolicyStore {
  override readonly kind = 'sqlite';
  override readonly location: string;
  private readonly db: Database;
  private readonly put: ReturnType<Database['prepare']>;
  private readonly del: ReturnType<Database['prepare']>;
  private readonly append: ReturnType<Database['prepare']>;
  private readonly prune: ReturnType<Database['prepare']>;
  private prunedAt = 0;
  private readonly now: () => number;
  private readonly pending = new Map<string, [Kind, string, unknown, number | undefined]>();
  private timer?: NodeJS.Timeout;
  private failure?: SmsError;
  private closed = false;

  constructor(private readonly options: SqlitePolicyStoreOptions) {
    super();
    this.location = options.file;
    let Sqlite: Driver;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Sqlite = require('better-sqlite3') as Driver;
    } catch (err) {
      throw new SmsError(
        'STORE_DRIVER',
        `the SQLite policy store needs the better-sqlite3 module, which did not load (${(err as Error).message}); reinstall the package with npm, or choose the memory store`,
      );
    }
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Sqlite(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.now = options.now ?? Date.now;
    this.prune = this.db.prepare('DELETE FROM events WHERE expires_at <= ?');
    this.prune.run(this.now());
    for (const row of this.db.prepare('SELECT kind, key, record FROM policy').all() as Array<{ kind: Kind; key: string; record: string }>) {
      this.restore(row.kind, row.key, fromJson(row.record));
    }
    // In the order they happened: the last event of a key is its state (a record of null: it is gone).
    for (const row of this.db.prepare('SELECT kind, key, record FROM events ORDER BY id').all() as Array<{ kind: Kind; key: string; record: string | null }>) {
      this.restore(row.kind, row.key, row.record === null ? undefined : JSON.parse(row.record));
    }
    this.put = this.db.prepare('INSERT OR REPLACE INTO policy (kind, key, record) VALUES (?, ?, ?)');
    this.del = this.db.prepare('DELETE FROM policy WHERE kind = ? AND key = ?');
    this.append = this.db.prepare('INSERT INTO events (kind, key, record, expires_at) VALUES (?, ?, ?, ?)');
  }

  protected override changed(kind: Kind, key: string, value: unknown, expiresAt?: number): void {
    if (this.closed) return;
    // Only the last write of a row reaches the file; a record is made text only then.
    this.pending.set(`${kind}\u0000${key}`, [kind, key, value, expiresAt]);
    this.timer ??= setTimeout(() => this.commit(), this.options.commitIntervalMs ?? 5);
  }

  private commit(): void {
    this.timer = undefined;
    if (this.closed || !this.pending.size) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    const now = this.now();
    try {
      this.db.transaction(() => {
        for (const [kind, key, value, expiresAt] of rows) {
          if (EVENTS.has(kind)) {
            // A row that expired needs no event: it is not read back.
            if (value !== undefined || (expiresAt ?? 0) > now) this.append.run(kind, key, value === undefined ? null : JSON.stringify(value), expiresAt ?? now);
          } else if (value === undefined) this.del.run(kind, key);
          // Only a held message can hold a Buffer (its text); the rest is plain JSON.
          else this.put.run(kind, key, kind === 'held' ? toJson(value) : JSON.stringify(value));
        }
        if (now - this.prunedAt >= PRUNE_EVERY_MS) {
          this.prunedAt = now;
          this.prune.run(now);
        }
      })();
      if (this.failure) {
        this.failure = undefined;
        this.options.onError?.(undefined);
      }
    } catch (err) {
      // Kept for the next try, unless a newer change of the row came meanwhile (there is none: commits are synchronous).
      for (const row of rows) this.pending.set(`${row[0]}\u0000${row[1]}`, row);
      if (!this.failure) {
        this.failure = new SmsError(
          'STORE_WRITE',
          `the SQLite policy store ${this.location} cannot be written (${(err as Error).message}): the limits, texts and opt-outs are kept in memory until it can; it is tried again with the next change`,
        );
        this.options.onError?.(this.failure);
      }
    }
  }

  override close(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.commit();
    this.closed = true;
    this.db.close();
  }
}
