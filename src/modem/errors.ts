/**
 * +CMS ERROR (3GPP 27.005 §3.2.5, and the RP causes of 24.011 below 128) and
 * +CME ERROR (27.007 §9.2) in words a user can act on.
 */
import { SmsError } from '../errors';

const CMS: Record<number, string> = {
  1: 'unassigned number: the recipient number does not exist',
  8: 'operator determined barring',
  10: 'call barred',
  21: 'the network rejected the message',
  27: 'destination out of service',
  28: 'unidentified subscriber',
  29: 'facility rejected',
  30: 'unknown subscriber',
  38: 'network out of order',
  41: 'temporary network failure; try again',
  42: 'network congestion; try again',
  47: 'network resources unavailable',
  50: "SMS is not part of the SIM's subscription",
  69: 'requested facility not implemented',
  81: 'invalid message reference',
  95: 'invalid message',
  96: 'invalid mandatory information',
  97: 'message type does not exist',
  98: 'message not compatible with the protocol state',
  111: 'protocol error',
  127: 'interworking error',
  300: 'modem failure',
  301: 'SMS service of the modem is reserved',
  302: 'operation not allowed',
  303: 'operation not supported',
  304: 'invalid PDU mode parameter: the modem refused the PDU',
  305: 'invalid text mode parameter',
  310: 'no SIM card inserted',
  311: 'SIM PIN required: set the PIN in the modem settings',
  312: 'PH-SIM PIN required',
  313: 'SIM failure',
  314: 'SIM busy; try again',
  315: 'wrong SIM',
  316: 'SIM PUK required: the PIN was entered wrong too often; unlock the SIM in a phone',
  317: 'SIM PIN2 required',
  318: 'SIM PUK2 required',
  320: 'memory failure',
  321: 'invalid memory index',
  322: 'message storage full: delete messages on the SIM',
  330: 'SMS centre address unknown: set the SMSC number in the modem settings',
  331: 'no network service: check the antenna, the SIM and coverage',
  332: 'network timeout',
  340: 'no +CNMA acknowledgement expected',
  500: 'unknown error in the modem',
};

const CME: Record<number, string> = {
  0: 'phone failure',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'no SIM card inserted',
  11: 'SIM PIN required: set the PIN in the modem settings',
  12: 'SIM PUK required: unlock the SIM in a phone',
  13: 'SIM failure',
  14: 'SIM busy; try again',
  15: 'wrong SIM',
  16: 'incorrect PIN: check the PIN setting (a wrong PIN three times locks the SIM)',
  17: 'SIM PIN2 required',
  18: 'SIM PUK2 required',
  20: 'memory full',
  21: 'invalid index',
  22: 'not found',
  23: 'memory failure',
  30: 'no network service',
  31: 'network timeout',
  100: 'unknown error',
};

export function cmsError(code: number, command: string): SmsError {
  const text = CMS[code] ?? (code >= 512 ? 'manufacturer-specific error' : 'error');
  return new SmsError(`CMS_${code}`, `${command}: the modem answered +CMS ERROR ${code}: ${text}`);
}

export function cmeError(code: number, command: string): SmsError {
  return new SmsError(`CME_${code}`, `${command}: the modem answered +CME ERROR ${code}: ${CME[code] ?? 'error'}`);
}
