/**
 * What a route remembers between messages: when each channel last failed
 * (which decides the channel in use) and the round robin's turn. Kept in
 * memory for one Node-RED instance, or in Redis for several that share a
 * route: each sees the others' failures within a refresh, and draws the
 * round robin's turns from one counter.
 */
import { createRedisClient, RedisClient } from '../store/redis-client';
import { SmsError } from '../errors';

export interface RouteState {
  /** `channel` failed at `at` (it moved a message on, or went down) */
  failed(channel: string, at: number): void;
  /** when a channel last failed, as every instance sharing the state saw it */
  failedAt(channel: string): number | undefined;
  /** the rule's next round-robin turn: 0, 1, 2… across every instance sharing the state */
  turn(rule: number): number | Promise<number>;
  close(): Promise<void>;
}

export class LocalRouteState implements RouteState {
  private readonly failures = new Map<string, number>();
  private readonly turns = new Map<number, number>();

  failed(channel: string, at: number): void {
    this.failures.set(channel, Math.max(at, this.failures.get(channel) ?? 0));
  }

  failedAt(channel: string): number | undefined {
    return this.failures.get(channel);
  }

  turn(rule: number): number {
    const n = this.turns.get(rule) ?? 0;
    this.turns.set(rule, n + 1);
    return n;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface RedisRouteStateOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** the route's keys: instances that share the route share it */
  key: string;
  /** how often the others' failures are read (default 500 ms) */
  refreshMs?: number;
  onError?: (err: Error) => void;
}

/** Keeps the larger time of a failure: two instances that see one failure agree on it. */
const FAILED = `
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > old then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

export class RedisRouteState implements RouteState {
  private readonly local = new LocalRouteState();
  private readonly client: RedisClient;
  private readonly timer: NodeJS.Timeout;
  private readonly failedKey: string;
  private readonly location: string;
  /** settles once the first connection is made (or has failed) */
  readonly ready: Promise<void>;

  constructor(private readonly options: RedisRouteStateOptions) {
    const url = new URL(options.url);
    url.password = url.password ? '***' : '';
    this.location = url.toString();
    this.failedKey = `${options.key}:failed`;
    this.client = createRedisClient({ url: options.url, socket: { reconnectStrategy: (tries: number) => Math.min(5000, 100 * 2 ** tries) } });
    this.client.on('error', (err: Error) => this.fail(err));
    this.ready = this.client.connect().then(
      () => this.refresh(),
      (err: Error) => this.fail(err),
    );
    this.timer = setInterval(() => this.refresh(), options.refreshMs ?? 500);
    this.timer.unref?.();
  }

  failed(channel: string, at: number): void {
    this.local.failed(channel, at);
    if (!this.client.isReady) return;
    this.client.eval(FAILED, { keys: [this.failedKey], arguments: [channel, String(at)] }).catch((err: Error) => this.fail(err));
  }

  failedAt(channel: string): number | undefined {
    return this.local.failedAt(channel);
  }

  /** One counter in Redis; while Redis cannot be reached, this instance's own. */
  async turn(rule: number): Promise<number> {
    if (!this.client.isReady) return this.local.turn(rule);
    try {
      return Number(await this.client.incr(`${this.options.key}:turn:${rule}`)) - 1;
    } catch (err) {
      this.fail(err as Error);
      return this.local.turn(rule);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.client.isOpen) await this.client.close();
  }

  private refresh(): void {
    if (!this.client.isReady) return;
    this.client.hGetAll(this.failedKey).then(
      (all) => {
        for (const [channel, at] of Object.entries(all)) this.local.failed(channel, Number(at));
      },
      (err: Error) => this.fail(err),
    );
  }

  private fail(err: Error): void {
    this.options.onError?.(new SmsError('STORE_UNREACHABLE', `Redis at ${this.location} (the route's state): ${err.message}`));
  }
}
