/**
 * The policy's state in Redis, shared by every Node-RED instance that uses
 * the same prefix: one check per message runs as one script, so two
 * instances given the same alert at once send it once, and count one limit
 * per number between them.
 */
import { createHash } from 'node:crypto';
import { SmsError } from '../errors';
import { fromJson, toJson } from '../store/json';
import { createRedisClient, RedisClient } from '../store/redis-client';
import { DEFAULT_HISTORY, HistoryChange, HistoryEntry, HistoryLimits, HistoryQuery, idsOf, searchable, tagKey } from './history';
import { AdmitCheck, Admission, HeldRecord, NO_COUNTS, OptOutEntry, PolicyCounter, PolicyStore } from './store';

export interface RedisPolicyStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** the policy's keys: instances that share it share them */
  prefix: string;
  onError?: (err: Error) => void;
}

// KEYS: opt-outs, the text's key, its copies, the number's log, the counters.
// ARGV: number, at, record, duplicate window, duplicate value, limit, window, weight, hold when limited.
const ADMIT = `
local record = ARGV[3] == '1'
local since = redis.call('HGET', KEYS[1], ARGV[1])
if since then
  if record then redis.call('HINCRBY', KEYS[5], 'optedOut', 1) end
  return {'optedOut', cjson.decode(since).at}
end
local dupWindow = tonumber(ARGV[4])
if dupWindow > 0 then
  local earlier = redis.call('GET', KEYS[2])
  if earlier then
    local copies = tonumber(redis.call('GET', KEYS[3]) or '0')
    if record then
      copies = redis.call('INCR', KEYS[3])
      redis.call('PEXPIRE', KEYS[3], redis.call('PTTL', KEYS[2]))
      redis.call('HINCRBY', KEYS[5], 'suppressed', 1)
    end
    return {'duplicate', earlier, copies}
  end
end
if not record then return {'ok'} end
local count = tonumber(ARGV[6])
if count > 0 then
  local at = tonumber(ARGV[2])
  local window = tonumber(ARGV[7])
  local weight = tonumber(ARGV[8])
  local log = redis.call('LRANGE', KEYS[4], 0, -1)
  local kept = {}
  local sum = 0
  for _, entry in ipairs(log) do
    local t, w = string.match(entry, '^(%d+):(%d+)$')
    t = tonumber(t)
    w = tonumber(w)
    if t + window > at then
      kept[#kept + 1] = {t, w}
      sum = sum + w
    end
  end
  if #kept < #log then redis.call('LTRIM', KEYS[4], #log - #kept, -1) end
  if sum + weight > count then
    local nextAt = 'never'
    if weight <= count then
      local freed = 0
      for _, e in ipairs(kept) do
        freed = freed + e[2]
        if sum - freed + weight <= count then
          nextAt = tostring(e[1] + window)
          break
        end
      end
    end
    if ARGV[9] == '1' and dupWindow > 0 then
      redis.call('SET', KEYS[2], ARGV[5], 'PX', dupWindow)
      redis.call('DEL', KEYS[3])
    end
    redis.call('HINCRBY', KEYS[5], 'limited', 1)
    return {'limited', nextAt}
  end
  redis.call('RPUSH', KEYS[4], ARGV[2] .. ':' .. ARGV[8])
  redis.call('PEXPIRE', KEYS[4], window)
end
if dupWindow > 0 then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', dupWindow)
  redis.call('DEL', KEYS[3])
end
return {'ok'}`;

// Forgets a text only if it is still this message's.
const FORGET = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).key == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1`;

/** the messages one id or tag finds at most (the newest) */
const FOUND_AT_MOST = 20;
/** the latest messages a search in the sidebar looks through */
const SEARCHED_AT_MOST = 2000;

export class RedisPolicyStore implements PolicyStore {
  readonly kind = 'redis';
  readonly location: string;
  private readonly client: RedisClient;
  private readonly ready: Promise<unknown>;
  private readonly keys: Record<'optOuts' | 'held' | 'counters' | 'recent', string>;
  private historyLimits: HistoryLimits = DEFAULT_HISTORY;

  constructor(private readonly options: RedisPolicyStoreOptions) {
    const url = new URL(options.url);
    url.password = url.password ? '***' : '';
    this.location = url.toString();
    const p = options.prefix;
    this.keys = { optOuts: `${p}:optouts`, held: `${p}:held`, counters: `${p}:counters`, recent: `${p}:history` };
    this.client = createRedisClient({ url: options.url, socket: { reconnectStrategy: (tries: number) => Math.min(5000, 100 * 2 ** tries) } });
    this.client.on('error', (err: Error) => this.options.onError?.(err));
    this.ready = this.client.connect().catch((err: Error) => {
      throw new SmsError('STORE_UNREACHABLE', `the Redis policy store at ${this.location} cannot be reached (${err.message})`);
    });
    this.ready.catch(() => undefined);
  }

  private async run<T>(what: () => Promise<T>): Promise<T> {
    await this.ready;
    return what();
  }

  async admit(check: AdmitCheck): Promise<Admission> {
    const p = this.options.prefix;
    const dup = check.duplicate;
    const limit = check.limit;
    const answer = (await this.run(() =>
      this.client.eval(ADMIT, {
        keys: [this.keys.optOuts, `${p}:dup:${dup?.hash ?? ''}`, `${p}:dup:${dup?.hash ?? ''}:n`, `${p}:log:${check.number}`, this.keys.counters],
        arguments: [
          check.number,
          String(check.at),
          check.record ? '1' : '0',
          String(dup?.windowMs ?? 0),
          dup ? JSON.stringify({ key: dup.key, at: check.at }) : '',
          String(limit?.count ?? 0),
          String(limit?.windowMs ?? 0),
          String(limit?.weight ?? 0),
          check.holdWhenLimited ? '1' : '0',
        ],
      }),
    )) as unknown[];
    switch (answer[0]) {
      case 'optedOut':
        return { verdict: 'optedOut', since: Number(answer[1]) };
      case 'duplicate': {
        const earlier = JSON.parse(String(answer[1])) as { key: string; at: number };
        return { verdict: 'duplicate', key: earlier.key, at: earlier.at, copies: Number(answer[2]) };
      }
      case 'limited':
        return { verdict: 'limited', nextAt: answer[1] === 'never' ? Infinity : Number(answer[1]) };
      default:
        return { verdict: 'ok' };
    }
  }

  forget(hash: string, key: string): void {
    const p = this.options.prefix;
    this.run(() => this.client.eval(FORGET, { keys: [`${p}:dup:${hash}`, `${p}:dup:${hash}:n`], arguments: [key] })).catch((err: Error) => this.options.onError?.(err));
  }

  optOut(entry: OptOutEntry): void {
    this.run(() => this.client.hSet(this.keys.optOuts, entry.key, JSON.stringify(entry))).catch((err: Error) => this.options.onError?.(err));
  }

  async optIn(key: string): Promise<boolean> {
    return (await this.run(() => this.client.hDel(this.keys.optOuts, key))) > 0;
  }

  async optOuts(): Promise<OptOutEntry[]> {
    const all = await this.run(() => this.client.hGetAll(this.keys.optOuts));
    return Object.values(all).map((v) => JSON.parse(v) as OptOutEntry);
  }

  hold(record: HeldRecord): void {
    this.run(() => this.client.hSet(this.keys.held, record.key, toJson(record))).catch((err: Error) => this.options.onError?.(err));
  }

  async release(key: string): Promise<boolean> {
    return (await this.run(() => this.client.hDel(this.keys.held, key))) > 0;
  }

  async held(): Promise<HeldRecord[]> {
    const all = await this.run(() => this.client.hGetAll(this.keys.held));
    return Object.values(all).map((v) => fromJson(v) as HeldRecord);
  }

  count(counter: PolicyCounter): void {
    this.run(() => this.client.hIncrBy(this.keys.counters, counter, 1)).catch((err: Error) => this.options.onError?.(err));
  }

  async counters(): Promise<Record<PolicyCounter, number>> {
    const all = await this.run(() => this.client.hGetAll(this.keys.counters));
    const out = { ...NO_COUNTS };
    for (const k of Object.keys(out) as PolicyCounter[]) out[k] = Number(all[k] ?? 0);
    return out;
  }

  keepHistory(limits: HistoryLimits): void {
    this.historyLimits = limits;
  }

  /** A message's changes in a list of its own that lives as long as history is kept; lists of keys find it by id and tag. */
  note(key: string, change: HistoryChange, since: number): void {
    const p = this.options.prefix;
    const { keepMs, max } = this.historyLimits;
    const ttl = Math.max(1, Math.round(since + keepMs - change.at));
    const m = this.client.multi();
    m.rPush(`${p}:h:${key}`, JSON.stringify(change));
    m.pExpire(`${p}:h:${key}`, ttl);
    for (const id of idsOf(change)) {
      m.lPush(`${p}:hid:${id}`, key);
      m.lTrim(`${p}:hid:${id}`, 0, FOUND_AT_MOST - 1);
      m.pExpire(`${p}:hid:${id}`, ttl);
    }
    if (change.kind === 'accepted') {
      const tag = tagKey(change.tag);
      if (tag) {
        const t = `${p}:ht:${createHash('sha1').update(tag).digest('base64url')}`;
        m.lPush(t, key);
        m.lTrim(t, 0, FOUND_AT_MOST - 1);
        m.pExpire(t, ttl);
      }
      m.zAdd(this.keys.recent, { score: since, value: key });
      m.zRemRangeByScore(this.keys.recent, '-inf', String(change.at - keepMs));
      m.zRemRangeByRank(this.keys.recent, 0, -max - 1);
    }
    this.run(() => m.exec()).catch((err: Error) => this.options.onError?.(err));
  }

  private async entries(keys: string[], limit: number): Promise<HistoryEntry[]> {
    const p = this.options.prefix;
    const lists = await Promise.all(
      [...new Set(keys)].slice(0, limit).map(async (key) => ({ key, changes: (await this.client.lRange(`${p}:h:${key}`, 0, -1)).map((c) => JSON.parse(c) as HistoryChange) })),
    );
    return lists.filter((e) => e.changes.length);
  }

  async history(query: HistoryQuery, limit: number): Promise<HistoryEntry[]> {
    const p = this.options.prefix;
    const tag = tagKey(query.tag);
    const list = query.id ? `${p}:hid:${query.id}` : tag ? `${p}:ht:${createHash('sha1').update(tag).digest('base64url')}` : undefined;
    const keys = query.key ? [query.key] : list ? await this.run(() => this.client.lRange(list, 0, limit - 1)) : [];
    return this.entries(keys, limit);
  }

  async recent(limit: number, search?: string): Promise<HistoryEntry[]> {
    const words = search?.trim().toLowerCase();
    const keys = await this.run(() => this.client.zRange(this.keys.recent, 0, words ? SEARCHED_AT_MOST - 1 : limit - 1, { REV: true }));
    const all = await this.entries(keys, keys.length);
    return (words ? all.filter((e) => searchable(e).includes(words)) : all).slice(0, limit);
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.client.isOpen) await this.client.quit().catch(() => undefined);
  }
}
