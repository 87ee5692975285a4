/**
 * The policy's state in a SQLite file: all of it is read at start and kept
 * in memory, where every check is answered; each change is written to the
 * file, gathered and committed at the next turn of the event loop, and a
 * message leaves only once what admitted it is committed (a kill -9 then
 * still remembers it). A file that cannot be written keeps the state in
 * memory, says why once, and is tried again with the next change.
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
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS policy (kind TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (kind, key));
  CREATE INDEX IF NOT EXISTS policy_expiry ON policy (expires_at);
`;

export class SqlitePolicyStore extends MemoryPolicyStore {
  override readonly kind = 'sqlite';
  override readonly location: string;
  private readonly db: Database;
  private readonly put: ReturnType<Database['prepare']>;
  private readonly del: ReturnType<Database['prepare']>;
  private readonly pending = new Map<string, [Kind, string, unknown, number | undefined]>();
  private soon?: NodeJS.Immediate;
  private waiters: Array<() => void> = [];
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
    const now = (options.now ?? Date.now)();
    this.db.prepare('DELETE FROM policy WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
    for (const row of this.db.prepare('SELECT kind, key, record FROM policy ORDER BY rowid').all() as Array<{ kind: Kind; key: string; record: string }>) {
      this.restore(row.kind, row.key, fromJson(row.record));
    }
    this.put = this.db.prepare('INSERT OR REPLACE INTO policy (kind, key, record, expires_at) VALUES (?, ?, ?, ?)');
    this.del = this.db.prepare('DELETE FROM policy WHERE kind = ? AND key = ?');
  }

  protected override changed(kind: Kind, key: string, value: unknown, expiresAt?: number): void {
    if (this.closed) return;
    // Only the last write of a row reaches the file; a record is made text only then.
    this.pending.set(`${kind}\u0000${key}`, [kind, key, value, expiresAt]);
    this.soon ??= setImmediate(() => this.commit());
  }

  override afterCommit(then: () => void): void {
    if (!this.pending.size || this.failure || this.closed) then();
    else this.waiters.push(then);
  }

  private commit(): void {
    this.soon = undefined;
    if (this.closed || !this.pending.size) return;
    const rows = [...this.pending.values()];
    try {
      this.db.transaction(() => {
        for (const [kind, key, value, expiresAt] of rows) {
          if (value === undefined) this.del.run(kind, key);
          else this.put.run(kind, key, toJson(value), expiresAt ?? null);
        }
      })();
      this.pending.clear();
      if (this.failure) {
        this.failure = undefined;
        this.options.onError?.(undefined);
      }
    } catch (err) {
      if (!this.failure) {
        this.failure = new SmsError(
          'STORE_WRITE',
          `the SQLite policy store ${this.location} cannot be written (${(err as Error).message}): the limits, texts and opt-outs are kept in memory until it can; it is tried again with the next change`,
        );
        this.options.onError?.(this.failure);
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const then of waiters) then();
  }

  override close(): void {
    if (this.closed) return;
    clearImmediate(this.soon);
    this.commit();
    this.closed = true;
    this.db.close();
  }
}
