/**
 * The Redis client, loaded when a store or a route first asks for one: it
 * is most of what the package would otherwise add to Node-RED's start, and
 * most flows never use Redis.
 */
import type { createClient as CreateClient } from '@redis/client';

export type RedisClient = ReturnType<typeof CreateClient>;

let loaded: typeof CreateClient | undefined;

export function createRedisClient(options: Parameters<typeof CreateClient>[0]): RedisClient {
  // A require here, not an import at the top: the module loads only on this first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('@redis/client') as { createClient: typeof CreateClient }).createClient;
  return loaded(options);
}
