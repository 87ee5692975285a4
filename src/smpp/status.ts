/**
 * command_status values (SMPP 3.4 §5.1.3): their names, and what each means
 * in words a user can act on.
 */
import { SmsError } from '../errors';

const STATUSES: Record<number, [name: string, meaning: string]> = {
  0x00: ['ESME_ROK', 'accepted'],
  0x01: ['ESME_RINVMSGLEN', 'the message length is invalid'],
  0x02: ['ESME_RINVCMDLEN', 'the PDU length is invalid'],
  0x03: ['ESME_RINVCMDID', 'the SMSC does not know this command'],
  0x04: ['ESME_RINVBNDSTS', 'the command is not allowed in this bind state (a receiver cannot send)'],
  0x05: ['ESME_RALYBND', 'already bound'],
  0x06: ['ESME_RINVPRTFLG', 'the priority flag is invalid'],
  0x07: ['ESME_RINVREGDLVFLG', 'the registered delivery flag is invalid'],
  0x08: ['ESME_RSYSERR', 'the SMSC had a system error'],
  0x0a: ['ESME_RINVSRCADR', 'the source address (sender) is invalid or not allowed for this account'],
  0x0b: ['ESME_RINVDSTADR', 'the destination number is invalid'],
  0x0c: ['ESME_RINVMSGID', 'the message id is invalid'],
  0x0d: ['ESME_RBINDFAIL', 'the bind failed'],
  0x0e: ['ESME_RINVPASWD', 'the password is wrong'],
  0x0f: ['ESME_RINVSYSID', 'the system_id is not known to the SMSC'],
  0x11: ['ESME_RCANCELFAIL', 'the cancel failed'],
  0x13: ['ESME_RREPLACEFAIL', 'the replace failed'],
  0x14: ['ESME_RMSGQFUL', "the SMSC's message queue is full: slow down"],
  0x15: ['ESME_RINVSERTYP', 'the service type is invalid'],
  0x33: ['ESME_RINVNUMDESTS', 'the number of destinations is invalid'],
  0x34: ['ESME_RINVDLNAME', 'the distribution list name is invalid'],
  0x40: ['ESME_RINVDESTFLAG', 'the destination flag is invalid'],
  0x42: ['ESME_RINVSUBREP', 'the submit-with-replace request is invalid'],
  0x43: ['ESME_RINVESMCLASS', 'the esm_class is invalid'],
  0x44: ['ESME_RCNTSUBDL', 'cannot submit to a distribution list'],
  0x45: ['ESME_RSUBMITFAIL', 'the SMSC refused the message'],
  0x48: ['ESME_RINVSRCTON', 'the source address TON is invalid'],
  0x49: ['ESME_RINVSRCNPI', 'the source address NPI is invalid'],
  0x50: ['ESME_RINVDSTTON', 'the destination address TON is invalid'],
  0x51: ['ESME_RINVDSTNPI', 'the destination address NPI is invalid'],
  0x53: ['ESME_RINVSYSTYP', 'the system_type is invalid'],
  0x54: ['ESME_RINVREPFLAG', 'the replace_if_present flag is invalid'],
  0x55: ['ESME_RINVNUMMSGS', 'the number of messages is invalid'],
  0x58: ['ESME_RTHROTTLED', 'throttled: the SMSC asks to slow down'],
  0x61: ['ESME_RINVSCHED', 'the scheduled delivery time is invalid'],
  0x62: ['ESME_RINVEXPIRY', 'the validity period is invalid'],
  0x63: ['ESME_RINVDFTMSGID', 'the predefined message is invalid or not found'],
  0x64: ['ESME_RX_T_APPN', 'the receiving application had a temporary error'],
  0x65: ['ESME_RX_P_APPN', 'the receiving application had a permanent error'],
  0x66: ['ESME_RX_R_APPN', 'the receiving application refused the message'],
  0x67: ['ESME_RQUERYFAIL', 'the query failed'],
  0xc0: ['ESME_RINVOPTPARSTREAM', 'the optional parameters are malformed'],
  0xc1: ['ESME_ROPTPARNOTALLWD', 'an optional parameter is not allowed'],
  0xc2: ['ESME_RINVPARLEN', 'an optional parameter has an invalid length'],
  0xc3: ['ESME_RMISSINGOPTPARAM', 'an expected optional parameter is missing'],
  0xc4: ['ESME_RINVOPTPARAMVAL', 'an optional parameter has an invalid value'],
  0xfe: ['ESME_RDELIVERYFAILURE', 'delivery failed'],
  0xff: ['ESME_RUNKNOWNERR', 'unknown error'],
};

export const ESME_RINVCMDLEN = 0x02;
export const ESME_RINVCMDID = 0x03;
export const ESME_RINVBNDSTS = 0x04;
export const ESME_RINVDSTADR = 0x0b;
export const ESME_RSYSERR = 0x08;
export const ESME_RINVPASWD = 0x0e;
export const ESME_RINVSYSID = 0x0f;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;

/** "ESME_RINVDSTADR (0x0000000b): the destination number is invalid" */
export function describeStatus(status: number): string {
  const known = STATUSES[status];
  const hex = `0x${status.toString(16).padStart(8, '0')}`;
  if (known) return `${known[0]} (${hex}): ${known[1]}`;
  if (status >= 0x400 && status <= 0x4ff) return `${hex}: SMSC-specific error (see the SMSC's error list)`;
  return `${hex}: reserved error`;
}

export function statusName(status: number): string {
  return STATUSES[status]?.[0] ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/** "slow down and try again", not a failure */
export function isThrottling(status: number): boolean {
  return status === ESME_RTHROTTLED || status === ESME_RMSGQFUL;
}

/** A bind the SMSC refused, said so that the user knows which setting to fix. */
export function bindError(status: number): SmsError {
  const hint = status === ESME_RINVPASWD || status === ESME_RINVSYSID ? '; check the system_id and password of the connection' : '';
  return new SmsError('SMPP_BIND', `SMPP bind refused: ${describeStatus(status)}${hint}`);
}

/** A request the SMSC answered with an error. */
export function statusError(command: string, status: number): SmsError {
  return new SmsError(`SMPP_${status}`, `the SMSC answered ${command} with ${describeStatus(status)}`);
}
