/**
 * The embedded store: one SQLite file (better-sqlite3), in WAL mode. Writes
 * are gathered and committed together, once per turn of the event loop
 * (group commit), so that keeping the state does not cap throughput; a
 * crash of the process loses at most the writes of that last turn. A file
 * that is not a database, or is damaged, is moved aside (its name gets
 * `.corrupt-<time>`) and a new one is made: never a crash loop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmsError } from '../errors';
import { DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialRecord, PartialStore, ReportStore, Store } from './store';
import { fromJson, toJson } from './json';

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
}

type Write = () => void;

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly messages: MessageJournal;
  readonly outbox: Outbox;
  readonly reports: ReportStore;
  readonly partials: PartialStore;
  readonly dedup: DedupStore;
  private readonly db: Database;
  private pending: Write[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements: Record<string, Statement>;

  constructor(options: SqliteStoreOptions) {
    this.location = options.file;
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
      findReport: s('SELECT r.record FROM report_ids i JOIN reports r ON r.key = i.key WHERE i.id = ?'),
      hasReport: s('SELECT 1 FROM reports WHERE key = ?'),
      allReports: s('SELECT record FROM reports ORDER BY expires_at'),
      putPartial: s('INSERT OR REPLACE INTO partials (key, record) VALUES (?, ?)'),
      delPartial: s('DELETE FROM partials WHERE key = ?'),
      allPartials: s('SELECT record FROM partials'),
    };
    const st = this.statements;
    const write = (w: Write): void => this.write(w);
    const records = <T>(stmt: Statement): T[] => {
      this.flush();
      return (stmt.all() as Array<{ record: string }>).map((r) => fromJson(r.record) as T);
    };
    this.outbox = {
      add: (e: OutboxEntry) => write(() => st.putOutbox.run(e.id, toJson(e))),
      update: (e: OutboxEntry) => write(() => st.putOutbox.run(e.id, toJson(e))),
      remove: (id: number) => write(() => st.delOutbox.run(id)),
      load: () => records<OutboxEntry>(st.allOutbox),
    };
    this.messages = {
      add: (m: MessageRecord) => write(() => st.putMessage.run(m.key, toJson(m))),
      update: (m: MessageRecord) => write(() => st.putMessage.run(m.key, toJson(m))),
      remove: (key: string) => write(() => st.delMessage.run(key)),
      load: () => records<MessageRecord>(st.allMessages),
    };
    this.reports = {
      save: (r: ExpectationRecord) => {
        const json = toJson(r);
        write(() => {
          st.putReport.run(r.key, json, r.expiresAt);
          for (const id of Object.values(r.ids)) st.putReportId.run(id, r.key);
        });
      },
      remove: (key: string) => write(() => {
        st.delReport.run(key);
        st.delReportIds.run(key);
      }),
      findById: (id: string) => {
        this.flush();
        const row = st.findReport.get(id) as { record: string } | undefined;
        return row ? (fromJson(row.record) as ExpectationRecord) : undefined;
      },
      has: (key: string) => {
        this.flush();
        return st.hasReport.get(key) !== undefined;
      },
      load: () => records<ExpectationRecord>(st.allReports),
    };
    this.partials = {
      save: (p: PartialRecord) => write(() => st.putPartial.run(p.key, toJson(p))),
      remove: (key: string) => write(() => st.delPartial.run(key)),
      load: () => records<PartialRecord>(st.allPartials),
    };
    // A DELIVER answered just before a restart and sent again just after is rare; memory is enough for it.
    const seen = new Map<string, number>();
    this.dedup = {
      get: (key) => seen.get(key),
      set: (key, value) => {
        seen.delete(key);
        seen.set(key, value);
        if (seen.size > 10000) seen.delete(seen.keys().next().value as string);
      },
    };
  }

  /** Writes what is gathered, in one transaction. */
  flush(): void {
    if (!this.pending.length || this.closed) return;
    const batch = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const w of batch) w();
    })();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private write(w: Write): void {
    if (this.closed) return;
    this.pending.push(w);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }
}

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
