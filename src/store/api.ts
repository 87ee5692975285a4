/** Where a client keeps what it must not forget, as the package promises it: memory, a SQLite file, Redis. */
export { Store } from './store';
export { MemoryStore } from './memory';
export { SqliteStore, SqliteStoreOptions } from './sqlite';
export { RedisStore, RedisStoreOptions } from './redis';
