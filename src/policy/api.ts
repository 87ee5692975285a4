/** What stands between a flow and every channel, as the package promises it: limits per number, duplicates, quiet hours, opt-out. */
export { Policy, PolicyOptions, PolicyRequest, PolicySender, PolicyResult, PolicyPart, CarriedHeld, policySender } from './policy';
export { PolicyStore, MemoryPolicyStore, OptOutEntry, HeldRecord, PolicyCounter } from './store';
export { SqlitePolicyStore, SqlitePolicyStoreOptions } from './sqlite';
export { RedisPolicyStore, RedisPolicyStoreOptions } from './redis';
export { QuietHours } from './quiet';
export { STOP_WORDS, START_WORDS } from './keywords';
export { MessageStatus, RecipientStatus, RecipientState, HistoryQuery } from './history';
