/**
 * The SMS core of @smsflow/node-red-sms, usable without Node-RED:
 * `require('@smsflow/node-red-sms/core')`.
 */
export { SmsError } from './errors';
export * from './text';
export { ReportTracker, DeliveryReport, DeliveryStatus } from './reports';
export * as cmpp from './cmpp';
export { startSimulators, RunningSimulators, DEMO_ACCOUNTS } from './simulators';
