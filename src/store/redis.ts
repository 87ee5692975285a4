/**
 * The shared store: Redis, for several Node-RED instances that use one
 * carrier account. Report expectations are shared (a report that arrives on
 * instance B for a message A sent is matched with A's correlation) and
 * expire in Redis itself; each instance keeps its own outbox (a hash, and
 * its ids in order in a sorted set, so that parked requests are read back a
 * window at a time) and message journal under its own key. Writes are gathered as the SQLite store
 * gathers them (the last per row; a new row only once it has waited the
 * commit interval, so that a message answered within it never reaches
 * Redis) and sent together as one pipeline of a few commands however many
 * messages: one HSET and one HDEL per hash, one script for every
 * expectation, one DEL. Redis answers them in order; a settled message's
 * outcome waits for its removal's answer. Reads are awaited, and answer
 * first from what is gathered.
 */
import { createRedisClient, RedisClient } from './redis-client';
import { SmsError } from '../errors';
import { MemoryDedup } from './memory';
import { fromJson, toJson } from './json';
import { CommitMode, GatheredRow, GatheredWrites } from './gathered';
import { carriesId, DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialStore, Parking, ReportStore, Store } from './store';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** the account's namespace: instances that share an account share it */
  prefix: string;
  /** this instance's name: its outbox and journal are its own */
  instance: string;
  /** expectations stay this much longer in Redis than the tracker waits (default 1 h) */
  ttlMarginMs?: number;
  /** how long writes are gathered before they are sent (default 5 ms); a write someone waits for goes at the next turn */
  commitIntervalMs?: number;
  onError?: (err: Error) => void;
}

type Client = RedisClient;

/** Adds a part; when all are in, removes the hash and returns it (one caller gets it). */
const MERGE_PART = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  local all = redis.call('HGETALL', KEYS[1])
  redis.call('DEL', KEYS[1])
  return all
end
return false`;

/** Saves expectations: per expectation in ARGV its key, its record, how long to keep it (ms), its count of ids and the ids. */
const SAVE_REPORTS = `
local i = 1
while i <= #ARGV do
  local key, record, ttl, ids = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  redis.call('SET', KEYS[1] .. 'report:' .. key, record, 'PX', ttl)
  for j = 1, ids do redis.call('SET', KEYS[1] .. 'rid:' .. ARGV[i + 3 + j], key, 'PX', ttl) end
  i = i + 4 + ids
end
return 0`;

/** Removes and returns what parts there are. */
const TAKE_PARTS = `
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all`;

type Table = 'outbox' | 'messages' | 'reports' | 'parts';
const TABLES: readonly Table[] = ['outbox', 'messages', 'reports', 'parts'];

export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly location: string;
  readonly messages: MessageJournal;
  readonly outbox: Outbox;
  readonly reports: ReportStore & { claim(key: string): Promise<boolean> };
  readonly partials: PartialStore;
  readonly dedup: DedupStore;
  readonly parking: Parking;
  private readonly client: Client;
  private readonly ready: Promise<unknown>;
  /** writes gathered for the next pipeline, the last per row, and the rows Redis holds */
  private readonly gathered: GatheredWrites<Table>;
  private readonly commitIntervalMs: number;
  /** pipelines sent, and pipelines Redis answered (it answers them in the order sent) */
  private issued = 0;
  private acked = 0;
  /** who waits for writes to be answered: [the pipeline that must be, then] */
  private readonly commitWaiters: Array<[number, () => void]> = [];
  /** who waits for everything gathered (all), or for the removals of rows Redis holds (a settled message) */
  private waiting: Array<{ all: boolean; then: () => void }> = [];
  private flushTimer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private readonly sendPipeline: (batch: ReadonlyArray<GatheredRow<Table>>) => void;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    const url = new URL(options.url);
    url.password = url.password ? '***' : '';
    this.location = url.toString();
    const fail = (err: Error): void => options.onError?.(new SmsError('STORE_UNREACHABLE', `Redis at ${this.location}: ${err.message}`));
    this.client = createRedisClient({ url: options.url, socket: { reconnectStrategy: (tries: number) => Math.min(5000, 100 * 2 ** tries) } });
    this.client.on('error', fail);
    this.ready = this.client.connect().catch(fail);
    const c = this.client;
    const k = (...parts: string[]): string => [options.prefix, ...parts].join(':');
    const margin = options.ttlMarginMs ?? 3600e3;
    this.commitIntervalMs = options.commitIntervalMs ?? 5;
    const gathered = (this.gathered = new GatheredWrites(TABLES, this.commitIntervalMs));
    const outboxKey = k('outbox', options.instance);
    // The outbox's ids in order (a sorted set beside the hash): parked requests are read back by id, a window at a time.
    const orderKey = k('outbox-order', options.instance);
    const messagesKey = k('messages', options.instance);
    const reportKey = (key: string): string => k('report', key);
    const idKey = (id: string): string => k('rid', id);
    const partialKey = (key: string): string => k('parts', Buffer.from(key).toString('base64url'));
    this.sendPipeline = (batch) => {
      const n = ++this.issued;
      const m = c.multi();
      const hashes = {
        outbox: { key: outboxKey, put: {} as Record<string, string>, puts: 0, gone: [] as string[] },
        messages: { key: messagesKey, put: {} as Record<string, string>, puts: 0, gone: [] as string[] },
      };
      const saves: string[] = [];
      const gone: string[] = [];
      const now = Date.now();
      for (const [table, key, value] of batch) {
        if (table === 'outbox' || table === 'messages') {
          if (value === undefined) hashes[table].gone.push(String(key));
          else {
            hashes[table].put[String(key)] = toJson(value);
            hashes[table].puts++;
          }
        } else if (table === 'parts') gone.push(String(key));
        else if (value === undefined) gone.push(reportKey(String(key)));
        else {
          // Each expectation kept a margin longer than the tracker waits for its report.
          const r = value as ExpectationRecord;
          const ids = Object.values(r.ids);
          saves.push(r.key, toJson(r), String(Math.round(Math.max(1000, r.expiresAt - now + margin))), String(ids.length), ...ids);
        }
      }
      for (const hash of Object.values(hashes)) {
        if (hash.gone.length) m.hDel(hash.key, hash.gone);
        if (hash.puts) m.hSet(hash.key, hash.put);
      }
      const { outbox } = hashes;
      if (outbox.gone.length) m.zRem(orderKey, outbox.gone);
      if (outbox.puts)
        m.zAdd(
          orderKey,
          Object.keys(outbox.put).map((id) => ({ score: Number(id), value: id })),
        );
      if (saves.length) m.eval(SAVE_REPORTS, { keys: [k('')], arguments: saves });
      if (gone.length) m.del(gone);
      this.ready
        .then(() => m.execAsPipeline())
        .then((replies) => {
          for (const reply of replies) if (reply instanceof Error) fail(reply);
        }, fail)
        .finally(() => this.answered(n));
    };
    const write = (table: Table, key: string | number, value: unknown, forget = false): void => {
      if (this.closed) return;
      gathered.write(table, key, value, forget);
      this.flushTimer ??= setTimeout(() => this.flush('aged'), this.commitIntervalMs);
    };
    const rows = <T>(list: T[], table: Table, keyOf: (record: T) => string | number): T[] => {
      for (const record of list) gathered.found(table, keyOf(record));
      return list;
    };
    this.outbox = {
      // A parked entry is read back (and known again) before anything changes it: its id need not stay in memory.
      add: (e: OutboxEntry) => write('outbox', e.id, e, e.parked === true),
      update: (e: OutboxEntry) => write('outbox', e.id, e),
      remove: (id: number) => write('outbox', id, undefined),
      load: async () => {
        await this.ready;
        const list = Object.values(await c.hGetAll(outboxKey))
          .map((v) => fromJson(v) as OutboxEntry)
          .sort((a, b) => a.id - b.id);
        return rows(list, 'outbox', (e) => e.id);
      },
    };
    this.messages = {
      add: (m: MessageRecord) => write('messages', m.key, m, m.parked === true),
      update: (m: MessageRecord) => write('messages', m.key, m),
      remove: (key: string) => write('messages', key, undefined),
      settle: (key: string, then: () => void) => {
        write('messages', key, undefined);
        // Never in Redis: a restart finds nothing to carry over, whenever it comes.
        if (!gathered.holds('messages', key) || this.closed) then();
        else this.wait(false, then);
      },
      load: async () => {
        await this.ready;
        const list = Object.values(await c.hGetAll(messagesKey)).map((v) => fromJson(v) as MessageRecord);
        return rows(list, 'messages', (m) => m.key);
      },
    };
    this.reports = {
      save: (r: ExpectationRecord) => write('reports', r.key, r),
      remove: (key: string) => write('reports', key, undefined),
      findById: async (id: string) => {
        const unsent = gathered.find('reports', carriesId(id));
        if (unsent) return unsent as ExpectationRecord;
        await this.ready;
        const key = await c.get(idKey(id));
        if (!key) return undefined;
        const text = await c.get(reportKey(key));
        if (!text) return undefined;
        if (gathered.has('reports', key)) return gathered.get('reports', key) as ExpectationRecord | undefined;
        // Saved by another instance or an earlier run: its removal from here must reach Redis.
        gathered.found('reports', key);
        return fromJson(text) as ExpectationRecord;
      },
      has: async (key: string) => {
        if (gathered.has('reports', key)) return gathered.get('reports', key) !== undefined;
        await this.ready;
        return (await c.exists(reportKey(key))) === 1;
      },
      /** Takes a group for reporting it: true for the one instance that removed it. */
      claim: async (key: string) => {
        // Saved here and not sent yet: nobody else can have it.
        const mine = !gathered.holds('reports', key) && gathered.get('reports', key) !== undefined;
        write('reports', key, undefined);
        if (mine) return true;
        await this.ready;
        return (await c.del(reportKey(key))) === 1;
      },
      load: async () => {
        await this.ready;
        const out: ExpectationRecord[] = [];
        for await (const keys of c.scanIterator({ MATCH: reportKey('*'), COUNT: 500 })) {
          const list = Array.isArray(keys) ? keys : [keys];
          if (!list.length) continue;
          for (const text of await c.mGet(list)) if (text) out.push(fromJson(text) as ExpectationRecord);
        }
        return rows(
          out.sort((a, b) => a.expiresAt - b.expiresAt),
          'reports',
          (r) => r.key,
        );
      },
    };
    const parts = (flat: unknown): Record<number, unknown> | undefined => {
      if (!Array.isArray(flat) || !flat.length) return undefined;
      const out: Record<number, unknown> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) out[Number(flat[i])] = fromJson(String(flat[i + 1]));
      return out;
    };
    this.partials = {
      // Parts live in one hash per message, joined by merge(); nothing else to keep.
      save: () => undefined,
      remove: (key: string) => {
        // Made in Redis by merge(): the removal goes there.
        gathered.found('parts', partialKey(key));
        write('parts', partialKey(key), undefined);
      },
      load: () => [],
      merge: async (key, sequence, part, total, ttlMs) => {
        await this.ready;
        return parts(await c.eval(MERGE_PART, { keys: [partialKey(key)], arguments: [String(sequence), toJson(part), String(total), String(ttlMs)] }));
      },
      take: async (key) => {
        await this.ready;
        return parts(await c.eval(TAKE_PARTS, { keys: [partialKey(key)], arguments: [] }));
      },
    };
    this.dedup = new MemoryDedup();
    // Read from Redis once what is gathered is sent: Redis answers in order, so the reads see it.
    const sent = async (): Promise<void> => {
      this.flush('all');
      await this.ready;
    };
    const parsed = <T>(texts: Array<string | null>): T[] => texts.filter((t): t is string => t !== null).map((t) => fromJson(t) as T);
    let ordered: Promise<void> | undefined;
    // Written before the sorted set was kept: made once from the hash, in order.
    const order = (): Promise<void> =>
      (ordered ??= (async () => {
        await this.ready;
        if ((await c.zCard(orderKey)) > 0) return;
        const ids = await c.hKeys(outboxKey);
        for (let i = 0; i < ids.length; i += 1000)
          await c.zAdd(
            orderKey,
            ids.slice(i, i + 1000).map((id) => ({ score: Number(id), value: id })),
          );
      })());
    this.parking = {
      after: async (id: number, limit: number) => {
        await sent();
        await order();
        const ids = await c.zRangeByScore(orderKey, `(${id}`, '+inf', { LIMIT: { offset: 0, count: limit } });
        if (!ids.length) return [];
        const list = parsed<OutboxEntry>(await c.hmGet(outboxKey, ids)).sort((a, b) => a.id - b.id);
        return rows(list, 'outbox', (e) => e.id);
      },
      extent: async () => {
        await sent();
        await order();
        const count = await c.zCard(orderKey);
        const [last] = await c.zRangeWithScores(orderKey, -1, -1);
        return { count, last: last ? last.score : -1 };
      },
      messages: async (keys: string[]) => {
        await sent();
        if (!keys.length) return [];
        return rows(parsed<MessageRecord>(await c.hmGet(messagesKey, keys)), 'messages', (m) => m.key);
      },
      orphans: async () => {
        await sent();
        // The messages the outbox names, then the journal's others: a scan each, never the whole hash at once.
        const named = new Set<string>();
        for await (const entries of c.hScanIterator(outboxKey, { COUNT: 1000 })) {
          for (const { value } of Array.isArray(entries) ? entries : [entries]) {
            const message = (fromJson(value) as OutboxEntry).message;
            if (message !== undefined) named.add(message);
          }
        }
        const out: MessageRecord[] = [];
        for await (const entries of c.hScanIterator(messagesKey, { COUNT: 1000 })) {
          for (const { field, value } of Array.isArray(entries) ? entries : [entries]) if (!named.has(field)) out.push(fromJson(value) as MessageRecord);
        }
        return rows(out, 'messages', (m) => m.key);
      },
    };
  }

  /**
   * Sends what is gathered as one pipeline: `aged` (the interval's), rows
   * Redis holds and new rows once they have waited an interval; `known`,
   * the rows Redis holds (a settled message's removal); `all`, everything.
   */
  private flush(mode: CommitMode): void {
    if (mode === 'aged') this.flushTimer = undefined;
    const { batch, left } = this.gathered.take(mode);
    if (batch.length) this.sendPipeline(batch);
    this.gathered.committed(batch, left);
    if (left) this.flushTimer ??= setTimeout(() => this.flush('aged'), this.commitIntervalMs);
    else {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    // What this pipeline carries is what they waited for: answered with it.
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) {
      if (w.all && left) this.waiting.push(w);
      else this.commitWaiters.push([this.issued, w.then]);
    }
    this.answered(this.acked);
  }

  /** Runs `then` once what is gathered (`all`), or the removals of rows Redis holds, are answered: at the next turn, not the end of the interval. */
  private wait(all: boolean, then: () => void): void {
    this.waiting.push({ all, then });
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      this.flush(this.waiting.some((w) => w.all) ? 'all' : 'known');
    });
  }

  afterCommit(then: () => void): void {
    if (this.gathered.count && !this.closed) this.wait(true, then);
    else if (this.acked >= this.issued) then();
    else this.commitWaiters.push([this.issued, then]);
  }

  /** Write `n` was answered (or failed: the outcome is not held back by a store that cannot write). */
  private answered(n: number): void {
    if (n > this.acked) this.acked = n;
    while (this.commitWaiters.length && this.commitWaiters[0][0] <= this.acked) (this.commitWaiters.shift() as [number, () => void])[1]();
  }

  /** Resolves once connected (or rejects saying why not). */
  async connected(): Promise<void> {
    await this.ready;
    if (!this.client.isReady) throw new SmsError('STORE_UNREACHABLE', `Redis at ${this.location} cannot be reached`);
  }

  async close(): Promise<void> {
    if (!this.closed) {
      clearImmediate(this.soon);
      this.flush('all');
      this.closed = true;
    }
    await this.ready;
    if (this.client.isOpen) await this.client.close();
  }
}
