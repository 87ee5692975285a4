/**
 * The embedded store: one SQLite file (better-sqlite3, or node:sqlite where it is not built), in WAL mode. Writes
 * are gathered and committed together every `commitIntervalMs` (group
 * commit), the last write per row only, and a new row only once it has
 * waited a whole interval: a message answered within that time never
 * touches the file, so that keeping the state does not cap throughput. A
 * message whose record is in the file gets its outcome only once its removal
 * is committed (the journal's settle, at the next turn of the event loop), so
 * a crash never gives an outcome twice. A file that is not a
 * database, or is damaged, is moved aside (its name gets `.corrupt-<time>`)
 * and a new one is made: never a crash loop. A file that cannot be written
 * (a full disk, a folder that cannot be written) is kept: the store says why
 * (`failure`, STORE_WRITE), holds what it gathered, and tries again by itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmsError } from '../errors';
import { carriesId, DedupStore, ExpectationRecord, MaybePromise, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialRecord, PartialStore, Parking, ReportStore, Store } from './store';
import { MemoryDedup } from './memory';
import { fromJson, jsonSafe, toJson } from './json';
import { sqliteDriver, SqliteDatabase, SqliteStatement } from './sqlite-driver';
import { CommitMode, GatheredRow, GatheredWrites } from './gathered';
import { Checkpointer } from './checkpointer';
import { FileLock } from './file-lock';

/** A record as text; one that JSON cannot hold whole keeps what it can (never a throw inside a commit). */
function text(value: unknown): string {
  try {
    return toJson(value);
  } catch {
    return toJson(jsonSafe(value));
  }
}

// The driver is loaded when a SQLite store is made: the core works without it.
type Database = SqliteDatabase;
type Statement = SqliteStatement;
type Statements = Record<
  | 'putOutbox'
  | 'delOutbox'
  | 'allOutbox'
  | 'outboxAfter'
  | 'outboxExtent'
  | 'messagesIn'
  | 'orphanMessages'
  | 'putMessage'
  | 'delMessage'
  | 'allMessages'
  | 'putReport'
  | 'putReportId'
  | 'delReport'
  | 'delReportIds'
  | 'findReport'
  | 'hasReport'
  | 'allReports'
  | 'putPartial'
  | 'delPartial'
  | 'allPartials',
  Statement
>;

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
  /** how often gathered writes are committed (default 5 ms); writes someone waits for are committed at the next turn of the event loop */
  commitIntervalMs?: number;
}

type Table = 'outbox' | 'messages' | 'reports' | 'partials';
const TABLES: readonly Table[] = ['outbox', 'messages', 'reports', 'partials'];

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly messages: MessageJournal;
  readonly outbox: Outbox;
  readonly reports: ReportStore;
  readonly partials: PartialStore;
  readonly dedup: DedupStore;
  readonly parking: Parking;
  private db?: Database;
  /** this process's hold on the file: no other opens it while this store does */
  private lock?: FileLock;
  private statements?: Statements;
  private checkpoints?: Checkpointer;
  /** writes gathered for the next commit, the last one per row, and the rows the file holds */
  private readonly gathered: GatheredWrites<Table>;
  private flushTimer?: NodeJS.Timeout;
  /** a commit soon, for writes someone waits for: at the next turn, or once an interval has passed since the last commit */
  private soon?: { immediate?: NodeJS.Immediate; timer?: NodeJS.Timeout };
  private lastCommitAt = 0;
  private readonly commitIntervalMs: number;
  private closed = false;
  /** who waits for the writes made so far to be committed */
  private committedWaiters: Array<() => void> = [];
  /** who waits for a removal of a row the file holds to be committed (a settled message) */
  private removalWaiters: Array<() => void> = [];
  /** why the file cannot be written now, and how long until the next try */
  failure?: SmsError;
  private retryMs = 0;
  private readonly healthListeners: Array<(failure?: SmsError) => void> = [];
  /** loads asked for before the file could be opened: answered once it is */
  private opened?: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: SqliteStoreOptions) {
    this.location = options.file;
    this.commitIntervalMs = options.commitIntervalMs ?? 5;
    this.gathered = new GatheredWrites(TABLES, this.commitIntervalMs);
    this.tryOpen();
    const put = (table: Table, key: string | number, value: unknown, forget = false): void => this.write(table, key, value, forget);
    const del = (table: Table, key: string | number): void => this.write(table, key, undefined);
    const records = <T>(statement: keyof Statements, table: Table, keyOf: (record: T) => string | number): MaybePromise<T[]> => {
      const read = (): T[] => {
        this.flush();
        const st = this.statements as Statements;
        const list = (st[statement].all() as Array<{ record: string }>).map((r) => fromJson(r.record) as T);
        for (const record of list) this.gathered.found(table, keyOf(record));
        return list;
      };
      if (this.statements) return read();
      // Not open yet (a folder that cannot be written, a full disk): what it holds is read once it opens.
      return this.whenOpened().then(read);
    };
    this.outbox = {
      // A parked entry is read back (and known again) before anything changes it: its id need not stay in memory.
      add: (e: OutboxEntry) => put('outbox', e.id, e, e.parked === true),
      update: (e: OutboxEntry) => put('outbox', e.id, e),
      remove: (id: number) => del('outbox', id),
      leaving: (entries: OutboxEntry[]) => {
        let held = false;
        for (const e of entries) {
          if (!this.gathered.holds('outbox', e.id)) continue;
          put('outbox', e.id, { ...e, sent: true });
          held = true;
        }
        // Committed now, before they leave: the rows the file holds, these among them.
        if (held) this.flush('known');
      },
      load: () => records<OutboxEntry>('allOutbox', 'outbox', (e) => e.id),
    };
    this.messages = {
      add: (m: MessageRecord) => put('messages', m.key, m, m.parked === true),
      update: (m: MessageRecord) => put('messages', m.key, m),
      remove: (key: string) => del('messages', key),
      settle: (key: string, then: () => void) => {
        del('messages', key);
        // Never in the file: a restart finds nothing to carry over, whenever it comes.
        if (!this.gathered.holds('messages', key) || this.failure || this.closed) then();
        else {
          this.removalWaiters.push(then);
          this.commitSoon();
        }
      },
      load: () => records<MessageRecord>('allMessages', 'messages', (m) => m.key),
    };
    // Reports are looked up as they come, often within the commit interval of
    // their expectation: what waits to be committed answers first, so that a
    // lookup never forces a commit.
    const gathered = this.gathered;
    this.reports = {
      save: (r: ExpectationRecord) => put('reports', r.key, r),
      remove: (key: string) => del('reports', key),
      findById: (id: string) => {
        const unsaved = gathered.find('reports', carriesId(id));
        if (unsaved) return unsaved as ExpectationRecord;
        const row = this.statements?.findReport.get(id) as { key: string; record: string } | undefined;
        if (!row) return undefined;
        // A newer write gathered (a removal, say) is what the row is now.
        if (gathered.has('reports', row.key)) return gathered.get('reports', row.key) as ExpectationRecord | undefined;
        return fromJson(row.record) as ExpectationRecord;
      },
      has: (key: string) => (gathered.has('reports', key) ? gathered.get('reports', key) !== undefined : this.statements?.hasReport.get(key) !== undefined),
      load: () => records<ExpectationRecord>('allReports', 'reports', (r) => r.key),
    };
    this.partials = {
      save: (p: PartialRecord) => put('partials', p.key, p),
      remove: (key: string) => del('partials', key),
      load: () => records<PartialRecord>('allPartials', 'partials', (p) => p.key),
    };
    this.dedup = new MemoryDedup();
    // Read from the file, everything gathered committed first: what is read is what a restart would find.
    const committed = (): Statements => {
      this.flush();
      if (!this.statements) throw this.failure ?? new SmsError('STORE_WRITE', `the SQLite store ${this.location} is not open`);
      return this.statements;
    };
    this.parking = {
      after: (id: number, limit: number) => {
        const list = (committed().outboxAfter.all(id, limit) as Array<{ record: string }>).map((r) => fromJson(r.record) as OutboxEntry);
        for (const e of list) this.gathered.found('outbox', e.id);
        return list;
      },
      extent: () => {
        const row = committed().outboxExtent.get() as { count: number; last: number | null };
        return { count: row.count, last: row.last ?? -1 };
      },
      messages: (keys: string[]) => {
        // One statement for the window's keys, not one each.
        const list = (committed().messagesIn.all(JSON.stringify(keys)) as Array<{ record: string }>).map((r) => fromJson(r.record) as MessageRecord);
        for (const m of list) this.gathered.found('messages', m.key);
        return list;
      },
      orphans: () => {
        const list = (committed().orphanMessages.all() as Array<{ record: string }>).map((r) => fromJson(r.record) as MessageRecord);
        for (const m of list) this.gathered.found('messages', m.key);
        return list;
      },
    };
  }

  watchHealth(listener: (failure?: SmsError) => void): void {
    this.healthListeners.push(listener);
  }

  /** Someone waits for everything gathered: it is committed at the next turn of the event loop, not at the end of the interval. */
  afterCommit(then: () => void): void {
    if (!this.gathered.count || this.failure || this.closed) {
      then();
      return;
    }
    this.committedWaiters.push(then);
    this.commitSoon();
  }

  /**
   * At the next turn of the event loop, or an interval after the last
   * commit if that is later: everything when someone waits for everything,
   * else only the rows the file already holds (what a settled message's
   * removal needs). New rows keep waiting for the interval, so that a
   * message answered within it still never reaches the file. Under load
   * one commit takes the removals of many turns: each commit rewrites the
   * pages it touches, whatever the rows it changes on them.
   */
  private commitSoon(): void {
    if (this.soon || !this.db) return;
    const go = (): void => {
      this.soon = undefined;
      this.flush(this.committedWaiters.length ? 'all' : 'known');
    };
    const wait = this.lastCommitAt + this.commitIntervalMs - Date.now();
    this.soon = wait > 0 ? { timer: setTimeout(go, wait) } : { immediate: setImmediate(go) };
  }

  /**
   * Writes what `mode` takes of what is gathered (see CommitMode), in one
   * transaction; records become text only now. A write the file refuses (a
   * full disk) keeps everything gathered for the next try: nothing is lost
   * while the process lives, and nothing throws.
   */
  flush(mode: CommitMode = 'all'): void {
    if (this.closed || !this.db) return;
    if (this.failure && this.flushTimer) return; // the retry's timer commits, not every waiter
    if (!this.gathered.count) {
      // Nothing left to write (made and removed since, or refused and given its outcome since): no timer, nothing held back.
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      if (this.failure) this.writesAgain();
      return;
    }
    const { batch, left } = this.gathered.take(mode);
    try {
      if (batch.length) this.commit(batch);
    } catch (err) {
      this.cannotWrite(err as Error);
      return;
    }
    this.gathered.committed(batch, left);
    if (left) {
      if (mode === 'aged') this.flushTimer = setTimeout(() => this.flush('aged'), this.commitIntervalMs);
    } else {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.failure) this.writesAgain();
    this.releaseWaiters(left > 0);
  }

  close(): void {
    if (this.closed) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
    clearImmediate(this.soon?.immediate);
    clearTimeout(this.soon?.timer);
    this.closed = true;
    this.releaseWaiters();
    void this.checkpoints?.stop();
    this.db?.close();
    this.lock?.release();
  }

  private commit(batch: ReadonlyArray<GatheredRow<Table>>): void {
    this.lastCommitAt = Date.now();
    const st = this.statements as Statements;
    (this.db as Database).transaction(() => {
      for (const [table, key, value] of batch) {
        switch (table) {
          case 'outbox':
            if (value) st.putOutbox.run(key, text(value));
            else st.delOutbox.run(key);
            break;
          case 'messages':
            if (value) st.putMessage.run(key, text(value));
            else st.delMessage.run(key);
            break;
          case 'reports': {
            if (!value) {
              st.delReport.run(key);
              st.delReportIds.run(key);
              break;
            }
            const r = value as ExpectationRecord;
            st.putReport.run(r.key, text(r), r.expiresAt);
            for (const id of Object.values(r.ids)) st.putReportId.run(id, r.key);
            break;
          }
          case 'partials':
            if (value) st.putPartial.run(key, text(value));
            else st.delPartial.run(key);
            break;
        }
      }
    })();
    this.checkpoints?.committed();
  }

  private write(table: Table, key: string | number, value: unknown, forget = false): void {
    if (this.closed) return;
    this.gathered.write(table, key, value, forget);
    if (this.flushTimer || !this.db) return;
    this.flushTimer = setTimeout(() => this.flush('aged'), this.commitIntervalMs);
  }

  /** Opens the file, or says why it cannot and tries again later; a damaged file is moved aside, never a full or locked one. */
  private tryOpen(): void {
    if (this.closed) return;
    try {
      // Before the file is read: what it keeps is taken up by one process only.
      fs.mkdirSync(path.dirname(this.options.file), { recursive: true });
      this.lock ??= FileLock.take(this.options.file);
      this.db = open(this.options);
    } catch (err) {
      if ((err as SmsError).code === 'STORE_DRIVER') throw err;
      this.cannotWrite(err as Error);
      return;
    }
    this.checkpoints = new Checkpointer(this.db, this.location);
    const s = (sql: string): Statement => (this.db as Database).prepare(sql);
    this.statements = {
      putOutbox: s('INSERT OR REPLACE INTO outbox (id, record) VALUES (?, ?)'),
      delOutbox: s('DELETE FROM outbox WHERE id = ?'),
      allOutbox: s('SELECT record FROM outbox ORDER BY id'),
      outboxAfter: s('SELECT record FROM outbox WHERE id > ? ORDER BY id LIMIT ?'),
      outboxExtent: s('SELECT count(*) AS count, max(id) AS last FROM outbox'),
      messagesIn: s('SELECT record FROM messages WHERE key IN (SELECT value FROM json_each(?))'),
      // One pass over each table (the keys the outbox names, then the journal): two seconds for a million.
      orphanMessages: s("SELECT record FROM messages WHERE key NOT IN (SELECT json_extract(record, '$.message') FROM outbox WHERE json_extract(record, '$.message') IS NOT NULL)"),
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
    this.opened?.resolve();
    if (this.failure) this.writesAgain();
    if (this.gathered.count) this.flush();
  }

  private whenOpened(): Promise<void> {
    if (!this.opened) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.opened = { promise, resolve };
    }
    return this.opened.promise;
  }

  /** The file refused a write (or to open): say so once, give outcomes without waiting for it, try again with a growing wait. */
  private cannotWrite(err: Error): void {
    const first = !this.failure;
    this.failure = storeWriteError(this.location, err, !this.db);
    this.retryMs = first ? RETRY_FIRST_MS : Math.min(RETRY_MAX_MS, this.retryMs * 2);
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.db) this.flush();
      else this.tryOpen();
    }, this.retryMs);
    this.flushTimer.unref?.();
    if (first) for (const listener of this.healthListeners) listener(this.failure);
    this.releaseWaiters();
  }

  private writesAgain(): void {
    this.failure = undefined;
    this.retryMs = 0;
    for (const listener of this.healthListeners) listener(undefined);
  }

  /** After a commit (`partial`: of the rows the file held only, which every removal waited for is) or when the store cannot write. */
  private releaseWaiters(partial = false): void {
    const removals = this.removalWaiters;
    this.removalWaiters = [];
    let all: Array<() => void> = [];
    if (!partial) {
      all = this.committedWaiters;
      this.committedWaiters = [];
    }
    for (const then of removals) then();
    for (const then of all) then();
  }
}

/** the first wait before a refused write is tried again, and the longest */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 10000;

/** What a user needs to hear of a write (or an open) the file refused. */
function storeWriteError(file: string, err: Error, opening: boolean): SmsError {
  const code = (err as { code?: string }).code ?? '';
  const full = code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space/i.test(err.message);
  const locked = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  const what = full
    ? 'the disk is full: free some space'
    : locked
      ? 'another process has it open (a second Node-RED on the same user directory, or a tool writing to it): stop that one'
      : 'check that the folder exists and can be written';
  const doing = opening ? 'cannot be opened for writing' : 'cannot be written';
  return new SmsError('STORE_WRITE', `the SQLite store ${file} ${doing} (${err.message}): ${what}. New messages are refused until it can be written; it is tried again by itself`);
}

/** A file that is not a database or is damaged (moved aside), as opposed to one that cannot be written now (kept). */
function isDamaged(err: Error): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || err instanceof DamagedFile;
}

class DamagedFile extends Error {}

function open(options: SqliteStoreOptions): Database {
  // Loaded when a SQLite store is made, not at import: the core works without a driver.
  const driver = sqliteDriver();
  try {
    return prepare(driver.open(options.file));
  } catch (err) {
    if (!isDamaged(err as Error)) throw err;
    // Not a database, or damaged: keep it for whoever wants to look, start afresh.
    const aside = `${options.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(options.file + suffix)) fs.renameSync(options.file + suffix, aside + suffix);
    }
    options.onMovedAside?.(options.file, aside, err as Error);
    return prepare(driver.open(options.file));
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
    if (check !== 'ok') throw new DamagedFile(`the database check says: ${String(check)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
