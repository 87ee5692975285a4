/**
 * The shared store: Redis, for several Node-RED instances that use one
 * carrier account. Report expectations are shared (a report that arrives on
 * instance B for a message A sent is matched with A's correlation) and
 * expire in Redis itself; each instance keeps its own outbox and message
 * journal under its own key. Writes are sent without waiting (Redis keeps
 * their order); reads are awaited.
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
    const send = (p: Promise<unknown>): void => {
      const n = ++this.issued;
      p.catch(fail).finally(() => this.answered(n));
    };
    const outboxKey = k('outbox', options.instance);
    const messagesKey = k('messages', options.instance);
    this.outbox = {
      add: (e: OutboxEntry) => send(c.hSet(outboxKey, String(e.id), toJson(e))),
      update: (e: OutboxEntry) => send(c.hSet(outboxKey, String(e.id), toJson(e))),
      remove: (id: number) => send(c.hDel(outboxKey, String(id))),
      load: async () => {
        await this.ready;
        return Object.values(await c.hGetAll(outboxKey))
          .map((v) => fromJson(v) as OutboxEntry)
          .sort((a, b) => a.id - b.id);
      },
    };
    this.messages = {
      add: (m: MessageRecord) => send(c.hSet(messagesKey, m.key, toJson(m))),
      update: (m: MessageRecord) => send(c.hSet(messagesKey, m.key, toJson(m))),
      remove: (key: string) => send(c.hDel(messagesKey, key)),
      settle: (key: string, then: () => void) => {
        send(c.hDel(messagesKey, key));
        this.afterCommit(then);
      },
      load: async () => {
        await this.ready;
        return Object.values(await c.hGetAll(messagesKey)).map((v) => fromJson(v) as MessageRecord);
      },
    };
    const reportKey = (key: string): string => k('report', key);
    const idKey = (id: string): string => k('rid', id);
    this.reports = {
      save: (r: ExpectationRecord) => {
        const ttl = Math.max(1000, r.expiresAt - Date.now() + margin);
        const m = c.multi().set(reportKey(r.key), toJson(r), { expiration: { type: 'PX', value: ttl } });
        for (const id of Object.values(r.ids)) m.set(idKey(id), r.key, { expiration: { type: 'PX', value: ttl } });
        send(m.exec());
      },
      remove: (key: string) => send(c.del(reportKey(key))),
      findById: async (id: string) => {
        await this.ready;
        const key = await c.get(idKey(id));
        if (!key) return undefined;
        const text = await c.get(reportKey(key));
        return text ? (fromJson(text) as ExpectationRecord) : undefined;
      },
      has: async (key: string) => {
        await this.ready;
        return (await c.exists(reportKey(key))) === 1;
      },
      /** Takes a group for reporting it: true for the one instance that removed it. */
      claim: async (key: string) => {
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
      remove: (key: string) => send(c.del(partialKey(key))),
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

  afterCommit(then: () => void): void {
    if (this.acked >= this.issued) then();
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
    await this.ready;
    if (this.client.isOpen) await this.client.close();
  }
}
