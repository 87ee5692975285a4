/**
 * Everything the core has, for the package's own nodes, tests and benches:
 * sessions, waiters, dialects, stores' seams. Not a promise to anyone else;
 * the package's public API is index.ts.
 */
export { SmsError, ErrorCode } from './errors';
export * from './text';
export { ReportTracker, DeliveryReport, DeliveryStatus } from './tracking/reports';
export { PartResult, SendResult } from './results';
export { Waiter, RequestOf } from './account/account';
export { DEFAULT_MAX_PARTS, refuseEmpty, checkParts } from './limits';
export * as store from './store';
export * as cmpp from './cmpp';
export * as smpp from './smpp';
export * as imsp from './imsp';
export * as pdu from './pdu';
export * as modem from './modem';
export * as route from './route';
export * as policy from './policy';
export { selfSignedCertificate, SelfSignedCertificate } from './tls';
