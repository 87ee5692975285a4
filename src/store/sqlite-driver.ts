/**
 * The SQLite driver under the stores: better-sqlite3 where it is installed
 * and built for this Node, else Node's own node:sqlite (Node 22.13 and
 * later), so that an install without a compiler still keeps its messages
 * in a file. The stores use the part both give (prepared statements, exec,
 * pragmas, a transaction, close), and an error carries SQLite's code
 * (SQLITE_FULL, SQLITE_NOTADB, SQLITE_CORRUPT...) with either.
 */
import * as fs from 'node:fs';
import { SmsError } from '../errors';

export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `simple`: the first column of the first row */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** `fn` inside BEGIN ... COMMIT, rolled back if it throws */
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  close(): void;
}

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

export interface SqliteOpenOptions {
  /** opened to be read only (a test or a tool looking at a store's file) */
  readonly?: boolean;
  /** opened only if the file is there (never made anew by this open) */
  mustExist?: boolean;
}

interface Driver {
  name: SqliteDriverName;
  open(file: string, options?: SqliteOpenOptions): SqliteDatabase;
}

// The slice of node:sqlite used here (its types come with Node 22's own).
interface NodeStatementSync {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
}
type NodeDatabaseSyncClass = new (file: string, options?: { readOnly?: boolean }) => NodeDatabaseSync;

/** How long a connection waits for another's lock before SQLITE_BUSY (the checkpoint thread closing the file, say), with either driver. */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite's primary result codes by number, as better-sqlite3 names them. */
const CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  26: 'SQLITE_NOTADB',
};

/** node:sqlite's error with the code better-sqlite3 would give it (ERR_SQLITE_ERROR and a number otherwise). */
function withSqliteCode(err: unknown): unknown {
  const e = err as Error & { code?: string; errcode?: number };
  if (e && e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') e.code = CODES[e.errcode & 0xff] ?? `SQLITE_${e.errcode & 0xff}`;
  return e;
}

function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw withSqliteCode(err);
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  private readonly db: NodeDatabaseSync;

  constructor(DatabaseSync: NodeDatabaseSyncClass, file: string, options?: SqliteOpenOptions) {
    // node:sqlite has no such option: the file is looked for first.
    if (options?.mustExist && !fs.existsSync(file)) throw new SmsError('STORE_WRITE', `${file} is not there`);
    this.db = guarded(() => new DatabaseSync(file, { readOnly: options?.readonly === true }));
    // Its own wait is none.
    guarded(() => this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`));
  }

  prepare(sql: string): SqliteStatement {
    const st = guarded(() => this.db.prepare(sql));
    return {
      run: (...params) => guarded(() => st.run(...params)),
      get: (...params) => guarded(() => st.get(...params)),
      all: (...params) => guarded(() => st.all(...params)),
    };
  }

  exec(sql: string): void {
    guarded(() => this.db.exec(sql));
  }

  pragma(source: string, options?: { simple?: boolean }): unknown {
    const rows = guarded(() => this.db.prepare(`PRAGMA ${source}`).all()) as Array<Record<string, unknown>>;
    return options?.simple ? (rows[0] ? Object.values(rows[0])[0] : undefined) : rows;
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F): F {
    return ((...args: Parameters<F>) => {
      this.exec('BEGIN');
      try {
        const result = fn(...args);
        this.exec('COMMIT');
        return result;
      } catch (err) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // SQLite may have rolled back already (a full disk does)
        }
        throw withSqliteCode(err);
      }
    }) as F;
  }

  close(): void {
    this.db.close();
  }
}

let chosen: Driver | undefined;

function load(): Driver {
  const reasons: string[] = [];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const BetterSqlite = require('better-sqlite3') as new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => SqliteDatabase;
    // Its native part loads with the first database: one in memory says whether it was built for this Node.
    new BetterSqlite(':memory:').close();
    return {
      name: 'better-sqlite3',
      open: (file, options) => new BetterSqlite(file, { readonly: options?.readonly === true, fileMustExist: options?.mustExist === true, timeout: BUSY_TIMEOUT_MS }),
    };
  } catch (err) {
    reasons.push(`better-sqlite3: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    // node:sqlite says once that it is experimental: a warning a user of the store need not read.
    const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, never called from here
    const original = process.emitWarning;
    process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
      if (!/SQLite is an experimental feature/.test(String(warning))) emit(warning, ...rest);
    };
    let sqlite: { DatabaseSync: NodeDatabaseSyncClass };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sqlite = require('node:sqlite') as typeof sqlite;
    } finally {
      process.emitWarning = original;
    }
    return { name: 'node:sqlite', open: (file, options) => new NodeSqliteDatabase(sqlite.DatabaseSync, file, options) };
  } catch (err) {
    reasons.push(`node:sqlite: ${(err as Error).message.split('\n')[0]}`);
  }
  throw new SmsError(
    'STORE_DRIVER',
    `no SQLite driver could be loaded (${reasons.join('; ')}): install the package where it can build better-sqlite3 (python3, make and a C++ compiler), or run Node 22.13 or later (its own node:sqlite needs nothing built), or choose the memory store`,
  );
}

/** The driver the stores use, loaded when a SQLite store is first made (not at import). */
export function sqliteDriver(): Driver {
  chosen ??= load();
  return chosen;
}

/** Which driver a SQLite store here would use, or undefined when none loads (for the editor and the log). */
export function sqliteDriverName(): SqliteDriverName | undefined {
  try {
    return sqliteDriver().name;
  } catch {
    return undefined;
  }
}
