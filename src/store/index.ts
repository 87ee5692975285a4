export { Store, Outbox, OutboxEntry, ReportStore, ExpectationRecord, PartOutcome, PartialStore, PartialRecord, DedupStore, MaybePromise, when } from './store';
export { MemoryStore } from './memory';
