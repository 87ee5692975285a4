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
import { HistoryChange, HistoryEntry, HistoryQuery, idsOf, searchable, tagKey } from './history';
import { MemoryPolicyStore } from './store';
import { sqliteDriver, SqliteDatabase } from '../store/sqlite-driver';

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
  CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, key TEXT NOT NULL, since INTEGER NOT NULL, first INTEGER NOT NULL, tag TEXT, changes TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS history_key ON history (key);
  CREATE INDEX IF NOT EXISTS history_tag ON history (tag) WHERE tag IS NOT NULL;
  CREATE TABLE IF NOT EXISTS history_ids (carrier_id TEXT NOT NULL, key TEXT NOT NULL, since INTEGER NOT NULL, PRIMARY KEY (carrier_id, key)) WITHOUT ROWID;
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
  /** history not yet in the file: key -> when accepted, and its new changes */
  private readonly pendingHistory = new Map<string, { since: number; changes: HistoryChange[] }>();
  private readonly history_: {
    add: ReturnType<Database['prepare']>;
    addId: ReturnType<Database['prepare']>;
    byKey: ReturnType<Database['prepare']>;
    byId: ReturnType<Database['prepare']>;
    byTag: ReturnType<Database['prepare']>;
    latest: ReturnType<Database['prepare']>;
  };
  /** messages whose history the file holds (their first rows), for the bound in count */
  private historyCount: number;
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
      add: this.db.prepare('INSERT INTO history (key, since, first, tag, changes) VALUES (?, ?, ?, ?, ?)'),
      addId: this.db.prepare('INSERT OR IGNORE INTO history_ids (carrier_id, key, since) VALUES (?, ?, ?)'),
      byKey: this.db.prepare('SELECT changes FROM history WHERE key = ? ORDER BY id'),
      byId: this.db.prepare('SELECT key FROM history_ids WHERE carrier_id = ? ORDER BY since DESC LIMIT ?'),
      byTag: this.db.prepare('SELECT key FROM history WHERE tag = ? ORDER BY id DESC LIMIT ?'),
      latest: this.db.prepare('SELECT id, key FROM history WHERE id < ? ORDER BY id DESC LIMIT ?'),
    };
    this.historyCount = (this.db.prepare('SELECT count(*) AS n FROM history WHERE first = 1').get() as { n: number }).n;
  }

  override note(key: string, change: HistoryChange, since: number): void {
    if (this.closed) return;
    this.historyAt = Math.max(this.historyAt, change.at);
    const story = this.pendingHistory.get(key);
    if (story) story.changes.push(change);
    else this.pendingHistory.set(key, { since, changes: [change] });
    this.timer ??= setTimeout(() => this.commit(), this.options.commitIntervalMs ?? 5);
  }

  /** a message's changes: those in the file, then those still gathered */
  private changesOf(key: string): HistoryChange[] {
    const rows = this.history_.byKey.all(key) as Array<{ changes: string }>;
    const changes = rows.flatMap((r) => JSON.parse(r.changes) as HistoryChange[]);
    return changes.concat(this.pendingHistory.get(key)?.changes ?? []);
  }

  /** the keys of messages not yet in the file with a change `found` takes, newest first */
  private gathered(found: (change: HistoryChange) => boolean): string[] {
    return [...this.pendingHistory]
      .filter(([, story]) => story.changes.some(found))
      .map(([key]) => key)
      .reverse();
  }

  override history(query: HistoryQuery, limit: number): HistoryEntry[] {
    let keys: string[];
    const tag = tagKey(query.tag);
    if (query.key) keys = [query.key];
    else if (query.id) {
      const id = query.id;
      keys = [...this.gathered((c) => idsOf(c).includes(id)), ...(this.history_.byId.all(id, limit) as Array<{ key: string }>).map((r) => r.key)];
    } else if (tag) {
      keys = [...this.gathered((c) => c.kind === 'accepted' && tagKey(c.tag) === tag), ...(this.history_.byTag.all(tag, limit) as Array<{ key: string }>).map((r) => r.key)];
    } else keys = [];
    const out: HistoryEntry[] = [];
    for (const key of new Set(keys)) {
      if (out.length >= limit) break;
      const changes = this.changesOf(key);
      if (changes.length) out.push({ key, changes });
    }
    return out;
  }

  override recent(limit: number, search?: string): HistoryEntry[] {
    const words = search?.trim().toLowerCase();
    const out: HistoryEntry[] = [];
    const seen = new Set<string>();
    const take = (key: string): void => {
      if (seen.has(key) || out.length >= limit) return;
      seen.add(key);
      const entry = { key, changes: this.changesOf(key) };
      if (entry.changes.some((c) => c.kind === 'accepted') && (!words || searchable(entry).includes(words))) out.push(entry);
    };
    for (const key of [...this.pendingHistory.keys()].reverse()) take(key);
    // Read a page of rows at a time, newest first, until enough are found (a search may pass over many).
    let below = Number.MAX_SAFE_INTEGER;
    while (out.length < limit) {
      const rows = this.history_.latest.all(below, 500) as Array<{ id: number; key: string }>;
      if (!rows.length) break;
      for (const row of rows) take(row.key);
      below = rows[rows.length - 1].id;
    }
    return out;
  }

  protected override changed(kind: Kind, key: string, value: unknown, expiresAt?: number): void {
    if (this.closed) return;
    // Only the last write of a row reaches the file; a record is made text only then.
    this.pending.set(`${kind}\u0000${key}`, [kind, key, value, expiresAt]);
    this.timer ??= setTimeout(() => this.commit(), this.options.commitIntervalMs ?? 5);
  }

  private commit(): void {
    this.timer = undefined;
    if (this.closed || (!this.pending.size && !this.pendingHistory.size)) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
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
        for (const [key, story] of stories) {
          const accepted = story.changes.find((c) => c.kind === 'accepted');
          this.history_.add.run(key, story.since, accepted ? 1 : 0, accepted ? (tagKey(accepted.tag) ?? null) : null, JSON.stringify(story.changes));
          if (accepted) this.historyCount++;
          for (const c of story.changes) for (const id of idsOf(c)) this.history_.addId.run(id, key, story.since);
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
      if (this.failure) {
        this.failure = undefined;
        this.options.onError?.(undefined);
      }
    } catch (err) {
      // Kept for the next try, unless a newer change of the row came meanwhile (there is none: commits are synchronous).
      for (const row of rows) this.pending.set(`${row[0]}\u0000${row[1]}`, row);
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

  /** Forgets messages accepted before the time kept, and the oldest beyond the count kept. */
  private pruneHistory(now: number): void {
    const before = now - this.historyLimits.keepMs;
    this.db.prepare('DELETE FROM history WHERE since < ?').run(before);
    this.db.prepare('DELETE FROM history_ids WHERE since < ?').run(before);
    this.historyCount = (this.db.prepare('SELECT count(*) AS n FROM history WHERE first = 1').get() as { n: number }).n;
    if (this.historyCount <= this.historyLimits.max) return;
    // The oldest message kept: the rows before its first go, and the ids of messages accepted before it.
    const oldest = this.db.prepare('SELECT id, since FROM history WHERE first = 1 ORDER BY id DESC LIMIT 1 OFFSET ?').get(this.historyLimits.max - 1) as { id: number; since: number };
    this.db.prepare('DELETE FROM history WHERE id < ?').run(oldest.id);
    this.db.prepare('DELETE FROM history_ids WHERE since < ?').run(oldest.since);
    this.historyCount = this.historyLimits.max;
  }

  override close(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.commit();
    this.closed = true;
    this.db.close();
  }
}
