export { Store, Outbox, OutboxEntry, ReportStore, ExpectationRecord, PartOutcome, PartialStore, PartialRecord, DedupStore, MessageJournal, MessageRecord, MaybePromise, when } from './store';
export { MemoryStore } from './memory';
export { SqliteStore, SqliteStoreOptions } from './sqlite';
export { jsonSafe } from './json';
export { RedisStore, RedisStoreOptions } from './redis';
