export { Policy, PolicyOptions, PolicyRequest, PolicySender, PolicyResult, PolicyPart, CarriedHeld, policySender, numberKey, UNATTACHED_GRACE_MS } from './policy';
export { PolicyStore, MemoryPolicyStore, OptOutEntry, HeldRecord, PolicyCounter } from './store';
export { SqlitePolicyStore, SqlitePolicyStoreOptions } from './sqlite';
export { RedisPolicyStore, RedisPolicyStoreOptions } from './redis';
export { QuietHours } from './quiet';
export { STOP_WORDS, START_WORDS, keywordOf } from './keywords';
export { MessageStatus, RecipientStatus, RecipientState, HistoryQuery, HistoryLimits, statusOf } from './history';
