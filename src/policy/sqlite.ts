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
import { HistoryChange, HistoryEntry, HistoryLimits, HistoryQuery, idsOf, keyTime, searchable, tagKey } from './history';
import { MemoryPolicyStore } from './store';
import { sqliteDriver, SqliteDatabase } from '../store/sqlite-driver';
import { Checkpointer } from '../store/checkpointer';

type Database = SqliteDatabase;
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
  CREATE TABLE IF NOT EXISTS history_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, accepted INTEGER NOT NULL, changes TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS history_log_at ON history_log (at);
  DROP TABLE IF EXISTS history;
  DROP TABLE IF EXISTS history_ids;
`;

const KINDS: readonly Kind[] = ['log', 'dup', 'optout', 'held', 'count'];
/** the kinds every message writes: appended as events */
const EVENTS: ReadonlySet<Kind> = new Set(['log', 'dup']);
const PRUNE_EVERY_MS = 60_000;
/** a message's changes are looked for in rows from this long before its key's time on (a clock set back a little) */
const CLOCK_SLACK_MS = 3600e3;

/** a change in the history's rows: its message's key, when the message was accepted, the change, and its tag as the index compares tags */
type Logged = [key: string, since: number, change: HistoryChange, tag?: string];

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
  /** per kind, each row's last change not yet in the file: its value (undefined: gone) and expiry */
  private readonly pending: Record<Kind, Map<string, [value: unknown, expiresAt: number | undefined]>> = {
    log: new Map(),
    dup: new Map(),
    optout: new Map(),
    held: new Map(),
    count: new Map(),
  };
  private readonly checkpoints: Checkpointer;
  /** history not yet in the file: key -> when accepted, and its new changes */
  private readonly pendingHistory = new Map<string, { since: number; changes: HistoryChange[] }>();
  private readonly history_: {
    add: ReturnType<Database['prepare']>;
    from: ReturnType<Database['prepare']>;
    page: ReturnType<Database['prepare']>;
    pageWith: ReturnType<Database['prepare']>;
  };
  /** the oldest message kept by the bound in count (keys sort in the order made): older ones are no longer told */
  private floorKey = '';
  /** the policy's time as its history says it (its clock may not be this store's), and when history was last pruned by it */
  private historyAt = 0;
  private historyPrunedAt = 0;
  private timer?: NodeJS.Timeout;
  private failure?: SmsError;
  private closed = false;

  constructor(private readonly options: SqlitePolicyStoreOptions) {
    super();
    this.location = options.file;
    const driver = sqliteDriver();
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = driver.open(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.checkpoints = new Checkpointer(this.db, options.file);
    this.now = options.now ?? Date.now;
    this.prune = this.db.prepare('DELETE FROM events WHERE expires_at <= ?');
    this.prune.run(this.now());
    for (const row of this.db.prepare('SELECT kind, key, record FROM policy').all() as Array<{ kind: Kind; key: string; record: string }>) {
      this.restore(row.kind, row.key, fromJson(row.record));
    }
    // In the order they happened: the last event of a key is its state (a record of null: it is gone).
    for (const row of this.db.prepare("SELECT record FROM events WHERE kind = 'batch' ORDER BY id").all() as Array<{ record: string }>) {
      for (const [kind, key, value, expiresAt] of JSON.parse(row.record) as Array<[Kind, string, unknown, number]>) this.restore(kind, key, value ?? undefined, expiresAt);
    }
    this.put = this.db.prepare('INSERT OR REPLACE INTO policy (kind, key, record) VALUES (?, ?, ?)');
    this.del = this.db.prepare('DELETE FROM policy WHERE kind = ? AND key = ?');
    this.append = this.db.prepare('INSERT INTO events (kind, key, record, expires_at) VALUES (?, ?, ?, ?)');
    this.history_ = {
      add: this.db.prepare('INSERT INTO history_log (at, accepted, changes) VALUES (?, ?, ?)'),
      from: this.db.prepare('SELECT changes FROM history_log WHERE at >= ? AND instr(changes, ?) > 0 ORDER BY id'),
      page: this.db.prepare('SELECT id, changes FROM history_log WHERE id < ? ORDER BY id DESC LIMIT 64'),
      pageWith: this.db.prepare('SELECT id, changes FROM history_log WHERE id < ? AND instr(changes, ?) > 0 ORDER BY id DESC LIMIT 64'),
    };
    this.historyAt = (this.db.prepare('SELECT max(at) AS at FROM history_log').get() as { at: number | null }).at ?? 0;
    this.historyPrunedAt = this.historyAt;
  }

  override keepHistory(limits: HistoryLimits): void {
    super.keepHistory(limits);
    if (!this.closed) this.pruneHistory(this.historyAt);
  }

  override note(key: string, change: HistoryChange, since: number): void {
    if (this.closed) return;
    this.historyAt = Math.max(this.historyAt, change.at);
    const story = this.pendingHistory.get(key);
    if (story) story.changes.push(change);
    else this.pendingHistory.set(key, { since, changes: [change] });
    this.timer ??= setTimeout(() => this.commit(), this.options.commitIntervalMs ?? 5);
  }

  /** still told: within the time and the count kept */
  private kept(key: string): boolean {
    return key >= this.floorKey && keyTime(key) > this.historyAt - this.historyLimits.keepMs;
  }

  /** a message's changes: those in the file (in rows from its time on), then those still gathered */
  private changesOf(key: string): HistoryChange[] {
    const changes: HistoryChange[] = [];
    for (const row of this.history_.from.all(keyTime(key) - CLOCK_SLACK_MS, key) as Array<{ changes: string }>) {
      for (const [k, , change] of JSON.parse(row.changes) as Logged[]) if (k === key) changes.push(change);
    }
    return changes.concat(this.pendingHistory.get(key)?.changes ?? []);
  }

  /** What is logged, newest first: the changes still gathered, then the file's rows (those holding `needle`), a page at a time. */
  private *newestFirst(needle?: string): Generator<Logged> {
    const gathered = [...this.pendingHistory];
    for (let i = gathered.length - 1; i >= 0; i--) {
      const [key, story] = gathered[i];
      for (let j = story.changes.length - 1; j >= 0; j--) yield [key, story.since, story.changes[j], undefined];
    }
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = (needle === undefined ? this.history_.page.all(below) : this.history_.pageWith.all(below, needle)) as Array<{ id: number; changes: string }>;
      if (!rows.length) return;
      for (const row of rows) {
        const logged = JSON.parse(row.changes) as Logged[];
        for (let j = logged.length - 1; j >= 0; j--) yield logged[j];
      }
      below = rows[rows.length - 1].id;
    }
  }

  /** The keys of the newest messages kept with a change `found` takes (the file's rows holding `needle`), at most `limit`. */
  private keysWith(needle: string, found: (change: HistoryChange, tag: string | undefined) => boolean, limit: number): string[] {
    const keys = new Set<string>();
    for (const [key, , change, tag] of this.newestFirst(needle)) {
      if (keys.size >= limit) break;
      if (found(change, tag ?? (change.kind === 'accepted' ? tagKey(change.tag) : undefined)) && this.kept(key)) keys.add(key);
    }
    return [...keys];
  }

  override history(query: HistoryQuery, limit: number): HistoryEntry[] {
    let keys: string[];
    const tag = tagKey(query.tag);
    // The rows are read as text first: only those holding the id or the tag (as JSON writes it) are parsed.
    if (query.key) keys = this.kept(query.key) ? [query.key] : [];
    else if (query.id) {
      const id = query.id;
      keys = this.keysWith(JSON.stringify(id), (c) => idsOf(c).includes(id), limit);
    } else if (tag) keys = this.keysWith(JSON.stringify(tag), (c, t) => c.kind === 'accepted' && t === tag, limit);
    else keys = [];
    const out: HistoryEntry[] = [];
    for (const key of keys) {
      const changes = this.changesOf(key);
      if (changes.length) out.push({ key, changes });
    }
    return out;
  }

  override recent(limit: number, search?: string): HistoryEntry[] {
    const words = search?.trim().toLowerCase();
    const out: HistoryEntry[] = [];
    // Read newest first, a message's changes are all seen by the time its first (accepted) is.
    const later = new Map<string, HistoryChange[]>();
    for (const [key, , change] of this.newestFirst()) {
      if (key < this.floorKey) break;
      const seen = later.get(key);
      if (change.kind !== 'accepted') {
        if (seen) seen.push(change);
        else later.set(key, [change]);
        continue;
      }
      later.delete(key);
      if (!this.kept(key)) continue;
      const entry = { key, changes: [change, ...(seen ?? []).reverse()] };
      if (!words || searchable(entry).includes(words)) out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  protected override changed(kind: Kind, key: string, value: unknown, expiresAt?: number): void {
    if (this.closed) return;
    // Only the last write of a row reaches the file; a record is made text only then.
    const row = this.pending[kind].get(key);
    if (row) {
      row[0] = value;
      row[1] = expiresAt;
    } else this.pending[kind].set(key, [value, expiresAt]);
    this.timer ??= setTimeout(() => this.commit(), this.options.commitIntervalMs ?? 5);
  }

  private commit(): void {
    this.timer = undefined;
    if (this.closed) return;
    const rows: Array<[Kind, string, unknown, number | undefined]> = [];
    for (const kind of KINDS) {
      for (const [key, [value, expiresAt]] of this.pending[kind]) rows.push([kind, key, value, expiresAt]);
      this.pending[kind].clear();
    }
    if (!rows.length && !this.pendingHistory.size) return;
    const stories = [...this.pendingHistory];
    this.pendingHistory.clear();
    const now = this.now();
    try {
      this.db.transaction(() => {
        // The events of one commit are one row, kept until the last of them expires: one insert however many messages.
        const events: Array<[Kind, string, unknown, number]> = [];
        let eventsExpireAt = now;
        for (const [kind, key, value, expiresAt] of rows) {
          if (EVENTS.has(kind)) {
            // A row that expired needs no event: it is not read back.
            if (value === undefined && (expiresAt ?? 0) <= now) continue;
            events.push([kind, key, value ?? null, expiresAt ?? now]);
            eventsExpireAt = Math.max(eventsExpireAt, expiresAt ?? now);
          } else if (value === undefined) this.del.run(kind, key);
          // Only a held message can hold a Buffer (its text); the rest is plain JSON.
          else this.put.run(kind, key, kind === 'held' ? toJson(value) : JSON.stringify(value));
        }
        if (events.length) this.append.run('batch', '', JSON.stringify(events), eventsExpireAt);
        // The history of one commit is one row: its changes in the order they came, each with its message's key.
        if (stories.length) {
          const logged: Logged[] = [];
          let accepted = 0;
          let at = 0;
          for (const [key, story] of stories) {
            for (const change of story.changes) {
              const tag = change.kind === 'accepted' ? tagKey(change.tag) : undefined;
              if (change.kind === 'accepted') accepted++;
              at = Math.max(at, change.at);
              logged.push(tag === undefined ? [key, story.since, change] : [key, story.since, change, tag]);
            }
          }
          this.history_.add.run(at, accepted, JSON.stringify(logged));
        }
        if (now - this.prunedAt >= PRUNE_EVERY_MS) {
          this.prunedAt = now;
          this.prune.run(now);
        }
        if (this.historyAt - this.historyPrunedAt >= PRUNE_EVERY_MS) {
          this.historyPrunedAt = this.historyAt;
          this.pruneHistory(this.historyAt);
        }
      })();
      this.checkpoints.committed();
      if (this.failure) {
        this.failure = undefined;
        this.options.onError?.(undefined);
      }
    } catch (err) {
      // Kept for the next try, unless a newer change of the row came meanwhile (there is none: commits are synchronous).
      for (const [kind, key, value, expiresAt] of rows) this.pending[kind].set(key, [value, expiresAt]);
      for (const [key, story] of stories) {
        const later = this.pendingHistory.get(key);
        this.pendingHistory.set(key, later ? { since: story.since, changes: [...story.changes, ...later.changes] } : story);
      }
      if (!this.failure) {
        this.failure = new SmsError(
          'STORE_WRITE',
          `the SQLite policy store ${this.location} cannot be written (${(err as Error).message}): the limits, texts and opt-outs are kept in memory until it can; it is tried again with the next change`,
        );
        this.options.onError?.(this.failure);
      }
    }
  }

  /**
   * Forgets the rows whose every change is older than the time kept, and
   * the rows of messages beyond the count kept; the oldest message kept is
   * remembered, so that those beyond it in its row are no longer told.
   */
  private pruneHistory(now: number): void {
    this.db.prepare('DELETE FROM history_log WHERE at < ?').run(now - this.historyLimits.keepMs);
    let count = 0;
    for (const row of this.db.prepare('SELECT id, accepted FROM history_log ORDER BY id DESC').all() as Array<{ id: number; accepted: number }>) {
      count += row.accepted;
      if (count < this.historyLimits.max) continue;
      // This row holds the oldest message kept: those before it in the row, and every older row, go.
      const first = this.historyLimits.max - (count - row.accepted);
      const { changes } = this.db.prepare('SELECT changes FROM history_log WHERE id = ?').get(row.id) as { changes: string };
      const keys = (JSON.parse(changes) as Logged[]).filter(([, , c]) => c.kind === 'accepted').map(([key]) => key);
      this.floorKey = keys[keys.length - first];
      this.db.prepare('DELETE FROM history_log WHERE id < ?').run(row.id);
      return;
    }
    this.floorKey = '';
  }

  override close(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.commit();
    this.closed = true;
    void this.checkpoints.stop();
    this.db.close();
  }
}
