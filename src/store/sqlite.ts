/**
 * The embedded store: one SQLite file (better-sqlite3), in WAL mode. Writes
 * are gathered and committed together every `commitIntervalMs` (group
 * commit), the last write per row only: a message answered within that time
 * never touches the file, so that keeping the state does not cap
 * throughput. A crash of the process loses at most that interval's writes. A file
 * that is not a database, or is damaged, is moved aside (its name gets
 * `.corrupt-<time>`) and a new one is made: never a crash loop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmsError } from '../errors';
import { DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialRecord, PartialStore, ReportStore, Store } from './store';
import { MemoryDedup } from './memory';
import { fromJson, jsonSafe, toJson } from './json';

/** A record as text; one that JSON cannot hold whole keeps what it can (never a throw inside a commit). */
function text(value: unknown): string {
  try {
    return toJson(value);
  } catch {
    return toJson(jsonSafe(value));
  }
}

// The driver is loaded when a SQLite store is made: the core works without it.
type Driver = typeof import('better-sqlite3');
type Database = InstanceType<Driver>;
type Statement = ReturnType<Database['prepare']>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS messages (key TEXT PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS report_ids (id TEXT PRIMARY KEY, key TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS partials (key TEXT PRIMARY KEY, record TEXT NOT NULL);
`;
const SCHEMA_VERSION = '1';

export interface SqliteStoreOptions {
  /** the database file; its folder is made when missing */
  file: string;
  /** called when a damaged file was moved aside */
  onMovedAside?: (from: string, to: string, why: Error) => void;
  /** how often gathered writes are committed (default 5 ms) */
  commitIntervalMs?: number;
}

/** The last write to one row in this batch: it alone reaches the file. */
interface Write {
  table: 'outbox' | 'messages' | 'reports' | 'partials';
  key: string | number;
  /** the record to write, or undefined to delete the row */
  value?: unknown;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly messages: MessageJournal;
  readonly outbox: Outbox;
  readonly reports: ReportStore;
  readonly partials: PartialStore;
  readonly dedup: DedupStore;
  private readonly db: Database;
  /** writes gathered for the next commit, the last one per row */
  private pending = new Map<string, Write>();
  /** carrier id -> report key for expectations saved since the last commit (the file does not know them yet) */
  private readonly pendingIds = new Map<string, string>();
  /** rows the file holds (written, or found there at start): only these need a DELETE */
  private readonly inFile = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private readonly commitIntervalMs: number;
  private closed = false;
  private readonly statements: Record<string, Statement>;

  constructor(options: SqliteStoreOptions) {
    this.location = options.file;
    this.commitIntervalMs = options.commitIntervalMs ?? 5;
    this.db = open(options);
    const s = (sql: string): Statement => this.db.prepare(sql);
    this.statements = {
      putOutbox: s('INSERT OR REPLACE INTO outbox (id, record) VALUES (?, ?)'),
      delOutbox: s('DELETE FROM outbox WHERE id = ?'),
      allOutbox: s('SELECT record FROM outbox ORDER BY id'),
      putMessage: s('INSERT OR REPLACE INTO messages (key, record) VALUES (?, ?)'),
      delMessage: s('DELETE FROM messages WHERE key = ?'),
      allMessages: s('SELECT record FROM messages'),
      putReport: s('INSERT OR REPLACE INTO reports (key, record, expires_at) VALUES (?, ?, ?)'),
      putReportId: s('INSERT OR REPLACE INTO report_ids (id, key) VALUES (?, ?)'),
      delReport: s('DELETE FROM reports WHERE key = ?'),
      delReportIds: s('DELETE FROM report_ids WHERE key = ?'),
      findReport: s('SELECT r.key, r.record FROM report_ids i JOIN reports r ON r.key = i.key WHERE i.id = ?'),
      hasReport: s('SELECT 1 FROM reports WHERE key = ?'),
      allReports: s('SELECT record FROM reports ORDER BY expires_at'),
      putPartial: s('INSERT OR REPLACE INTO partials (key, record) VALUES (?, ?)'),
      delPartial: s('DELETE FROM partials WHERE key = ?'),
      allPartials: s('SELECT record FROM partials'),
    };
    const st = this.statements;
    const put = (table: Write['table'], key: string | number, value: unknown): void => this.write({ table, key, value });
    const del = (table: Write['table'], key: string | number): void => this.write({ table, key });
    const records = <T>(stmt: Statement, table: Write['table'], keyOf: (record: T) => string | number): T[] => {
      this.flush();
      const list = (stmt.all() as Array<{ record: string }>).map((r) => fromJson(r.record) as T);
      for (const record of list) this.inFile.add(rowKey(table, keyOf(record)));
      return list;
    };
    this.outbox = {
      add: (e: OutboxEntry) => put('outbox', e.id, e),
      update: (e: OutboxEntry) => put('outbox', e.id, e),
      remove: (id: number) => del('outbox', id),
      load: () => records<OutboxEntry>(st.allOutbox, 'outbox', (e) => e.id),
    };
    this.messages = {
      add: (m: MessageRecord) => put('messages', m.key, m),
      update: (m: MessageRecord) => put('messages', m.key, m),
      remove: (key: string) => del('messages', key),
      load: () => records<MessageRecord>(st.allMessages, 'messages', (m) => m.key),
    };
    // Reports are looked up as they come, often within the commit interval of
    // their expectation: what waits to be committed answers first, so that a
    // lookup never forces a commit.
    const pendingReport = (key: string): Write | undefined => this.pending.get(rowKey('reports', key));
    this.reports = {
      save: (r: ExpectationRecord) => {
        put('reports', r.key, r);
        for (const id of Object.values(r.ids)) this.pendingIds.set(id, r.key);
      },
      remove: (key: string) => del('reports', key),
      findById: (id: string) => {
        const key = this.pendingIds.get(id);
        if (key !== undefined) return pendingReport(key)?.value as ExpectationRecord | undefined;
        const row = st.findReport.get(id) as { key: string; record: string } | undefined;
        if (!row) return undefined;
        const waiting = pendingReport(row.key);
        if (waiting) return waiting.value as ExpectationRecord | undefined;
        return fromJson(row.record) as ExpectationRecord;
      },
      has: (key: string) => {
        const waiting = pendingReport(key);
        if (waiting) return waiting.value !== undefined;
        return st.hasReport.get(key) !== undefined;
      },
      load: () => records<ExpectationRecord>(st.allReports, 'reports', (r) => r.key),
    };
    this.partials = {
      save: (p: PartialRecord) => put('partials', p.key, p),
      remove: (key: string) => del('partials', key),
      load: () => records<PartialRecord>(st.allPartials, 'partials', (p) => p.key),
    };
    this.dedup = new MemoryDedup();
  }

  /** Writes what is gathered, in one transaction; records become text only now. */
  flush(): void {
    if (!this.pending.size || this.closed) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch: Write[] = [];
    for (const [row, w] of this.pending) {
      if (w.value !== undefined) this.inFile.add(row);
      else if (!this.inFile.delete(row)) continue; // made and removed before any commit: nothing to delete
      batch.push(w);
    }
    this.pending.clear();
    this.pendingIds.clear();
    if (!batch.length) return;
    const st = this.statements;
    this.db.transaction(() => {
      for (const w of batch) {
        switch (w.table) {
          case 'outbox':
            if (w.value) st.putOutbox.run(w.key, text(w.value));
            else st.delOutbox.run(w.key);
            break;
          case 'messages':
            if (w.value) st.putMessage.run(w.key, text(w.value));
            else st.delMessage.run(w.key);
            break;
          case 'reports': {
            if (!w.value) {
              st.delReport.run(w.key);
              st.delReportIds.run(w.key);
              break;
            }
            const r = w.value as ExpectationRecord;
            st.putReport.run(r.key, text(r), r.expiresAt);
            for (const id of Object.values(r.ids)) st.putReportId.run(id, r.key);
            break;
          }
          case 'partials':
            if (w.value) st.putPartial.run(w.key, text(w.value));
            else st.delPartial.run(w.key);
            break;
        }
      }
    })();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    clearTimeout(this.flushTimer);
    this.closed = true;
    this.db.close();
  }

  private write(w: Write): void {
    if (this.closed) return;
    const row = rowKey(w.table, w.key);
    // Only the last write to a row matters (rows are independent: their order in the commit does not);
    // a row made and removed in one turn is never written, but a removal is kept (the row may be in the file).
    this.pending.set(row, w);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), this.commitIntervalMs);
  }
}

const rowKey = (table: string, key: string | number): string => `${table}\0${key}`;

function open(options: SqliteStoreOptions): Database {
  let Driver: Driver;
  try {
    Driver = require('better-sqlite3') as Driver;
  } catch (err) {
    throw new SmsError('STORE_DRIVER', `the SQLite store needs the better-sqlite3 module, which did not load (${(err as Error).message}); reinstall the package with npm, or choose the memory store`);
  }
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  try {
    return prepare(new Driver(options.file));
  } catch (err) {
    // Not a database, or damaged: keep it for whoever wants to look, start afresh.
    const aside = `${options.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(options.file + suffix)) fs.renameSync(options.file + suffix, aside + suffix);
    }
    options.onMovedAside?.(options.file, aside, err as Error);
    return prepare(new Driver(options.file));
  }
}

function prepare(db: Database): Database {
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    const version = db.prepare('SELECT v FROM meta WHERE k = ?').get('schema') as { v: string } | undefined;
    if (!version) db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
    // Reading every table once finds a damaged file now, not in the middle of a send.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the database check says: ${String(check)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
