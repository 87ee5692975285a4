/**
 * The shared store: Redis, for several Node-RED instances that use one
 * carrier account. Report expectations are shared (a report that arrives on
 * instance B for a message A sent is matched with A's correlation) and
 * expire in Redis itself; each instance keeps its own outbox and message
 * journal under its own key. Writes are gathered for the rest of the turn
 * of the event loop, the last one per row, and sent together as one
 * pipeline of a few commands however many messages (one HSET and one HDEL
 * per hash, one script for every expectation, one DEL); Redis keeps their
 * order. Reads are awaited, and answer first from what is gathered.
 */
import { createRedisClient, RedisClient } from './redis-client';
import { SmsError } from '../errors';
import { MemoryDedup } from './memory';
import { fromJson, toJson } from './json';
import { DedupStore, ExpectationRecord, MessageJournal, MessageRecord, Outbox, OutboxEntry, PartialStore, ReportStore, Store } from './store';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** the account's namespace: instances that share an account share it */
  prefix: string;
  /** this instance's name: its outbox and journal are its own */
  instance: string;
  /** expectations stay this much longer in Redis than the tracker waits (default 1 h) */
  ttlMarginMs?: number;
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

export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly location: string;
  readonly messages: MessageJournal;
  readonly outbox: Outbox;
  readonly reports: ReportStore & { claim(key: string): Promise<boolean> };
  readonly partials: PartialStore;
  readonly dedup: DedupStore;
  private readonly client: Client;
  private readonly ready: Promise<unknown>;
  /** writes sent, and writes Redis answered (it answers them in the order sent) */
  private issued = 0;
  private acked = 0;
  /** who waits for the writes sent so far: [the count that must be answered, then] */
  private readonly commitWaiters: Array<[number, () => void]> = [];
  /** writes of this turn, the last per row (undefined: removed), sent at its end */
  private readonly gathered: { outbox: Map<number, unknown>; messages: Map<string, unknown>; reports: Map<string, ExpectationRecord | undefined>; dropped: Map<string, undefined> };
  private readonly send: () => void;
  private sendSoon?: NodeJS.Immediate;

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
    const outboxKey = k('outbox', options.instance);
    const messagesKey = k('messages', options.instance);
    this.gathered = { outbox: new Map(), messages: new Map(), reports: new Map(), dropped: new Map() };
    const gathered = this.gathered;
    /** carrier id -> its expectation's key, for those gathered and not sent yet (Redis does not know them yet) */
    const gatheredIds = new Map<string, string>();
    const reportKey = (key: string): string => k('report', key);
    const idKey = (id: string): string => k('rid', id);
    this.send = (): void => {
      this.sendSoon = undefined;
      const n = ++this.issued;
      const m = c.multi();
      for (const [hash, rows] of [
        [outboxKey, gathered.outbox],
        [messagesKey, gathered.messages],
      ] as const) {
        const put: Record<string, string> = {};
        const gone: string[] = [];
        for (const [key, value] of rows) {
          if (value === undefined) gone.push(String(key));
          else put[String(key)] = toJson(value);
        }
        if (gone.length) m.hDel(hash, gone);
        if (gone.length < rows.size) m.hSet(hash, put);
        rows.clear();
      }
      // Expectations, each kept a margin longer than the tracker waits for its report.
      const saves: string[] = [];
      const gone: string[] = [];
      const now = Date.now();
      for (const [key, r] of gathered.reports) {
        if (!r) gone.push(reportKey(key));
        else {
          const ids = Object.values(r.ids);
          saves.push(key, toJson(r), String(Math.round(Math.max(1000, r.expiresAt - now + margin))), String(ids.length), ...ids);
        }
      }
      gathered.reports.clear();
      gatheredIds.clear();
      gone.push(...gathered.dropped.keys());
      gathered.dropped.clear();
      if (saves.length) m.eval(SAVE_REPORTS, { keys: [k('')], arguments: saves });
      if (gone.length) m.del(gone);
      this.ready
        .then(() => m.execAsPipeline())
        .then((replies) => {
          for (const reply of replies) if (reply instanceof Error) fail(reply);
        }, fail)
        .finally(() => this.answered(n));
    };
    const write = <K>(rows: Map<K, unknown>, key: K, value: unknown): void => {
      rows.set(key, value);
      this.sendSoon ??= setImmediate(this.send);
    };
    this.outbox = {
      add: (e: OutboxEntry) => write(gathered.outbox, e.id, e),
      update: (e: OutboxEntry) => write(gathered.outbox, e.id, e),
      remove: (id: number) => write(gathered.outbox, id, undefined),
      load: async () => {
        await this.ready;
        return Object.values(await c.hGetAll(outboxKey))
          .map((v) => fromJson(v) as OutboxEntry)
          .sort((a, b) => a.id - b.id);
      },
    };
    this.messages = {
      add: (m: MessageRecord) => write(gathered.messages, m.key, m),
      update: (m: MessageRecord) => write(gathered.messages, m.key, m),
      remove: (key: string) => write(gathered.messages, key, undefined),
      settle: (key: string, then: () => void) => {
        write(gathered.messages, key, undefined);
        this.afterCommit(then);
      },
      load: async () => {
        await this.ready;
        return Object.values(await c.hGetAll(messagesKey)).map((v) => fromJson(v) as MessageRecord);
      },
    };
    this.reports = {
      save: (r: ExpectationRecord) => {
        write(gathered.reports, r.key, r);
        for (const id of Object.values(r.ids)) gatheredIds.set(id, r.key);
      },
      remove: (key: string) => write(gathered.reports, key, undefined),
      findById: async (id: string) => {
        const mine = gatheredIds.get(id);
        if (mine !== undefined && gathered.reports.has(mine)) return gathered.reports.get(mine);
        await this.ready;
        const key = await c.get(idKey(id));
        if (!key) return undefined;
        const text = await c.get(reportKey(key));
        return text ? (fromJson(text) as ExpectationRecord) : undefined;
      },
      has: async (key: string) => {
        if (gathered.reports.has(key)) return gathered.reports.get(key) !== undefined;
        await this.ready;
        return (await c.exists(reportKey(key))) === 1;
      },
      /** Takes a group for reporting it: true for the one instance that removed it. */
      claim: async (key: string) => {
        // Sent first, so that the DEL finds what this instance saved.
        if (this.sendSoon) this.flushNow();
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
        return out.sort((a, b) => a.expiresAt - b.expiresAt);
      },
    };
    const partialKey = (key: string): string => k('parts', Buffer.from(key).toString('base64url'));
    const parts = (flat: unknown): Record<number, unknown> | undefined => {
      if (!Array.isArray(flat) || !flat.length) return undefined;
      const out: Record<number, unknown> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) out[Number(flat[i])] = fromJson(String(flat[i + 1]));
      return out;
    };
    this.partials = {
      // Parts live in one hash per message, joined by merge(); nothing else to keep.
      save: () => undefined,
      remove: (key: string) => write(gathered.dropped, partialKey(key), undefined),
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
  }

  /** Sends what is gathered now, not at the end of the turn. */
  private flushNow(): void {
    clearImmediate(this.sendSoon);
    this.send();
  }

  afterCommit(then: () => void): void {
    if (this.sendSoon) this.commitWaiters.push([this.issued + 1, then]);
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
    if (this.sendSoon) this.flushNow();
    await this.ready;
    if (this.client.isOpen) await this.client.close();
  }
}
