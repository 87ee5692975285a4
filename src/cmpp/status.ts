/**
 * What the gateway's numbers mean, in words a user can act on.
 */
import { ErrorCode, SmsError } from '../errors';

const CONNECT_STATUS: Record<number, string> = {
  1: 'the gateway found the CONNECT message malformed',
  2: 'the gateway does not know this SP_Id (source address); check the SP_Id setting',
  3: "the gateway refused the login: wrong shared secret, or this machine's clock is far from the gateway's",
  4: 'the gateway does not support this CMPP version; try 2.0',
};

export function connectError(status: number): SmsError {
  const reason = CONNECT_STATUS[status] ?? `the gateway refused the login with status ${status} (gateway-specific)`;
  const code: ErrorCode = status === 2 || status === 3 ? 'CMPP_AUTH' : `CMPP_CONNECT_${status}`;
  return new SmsError(code, `CMPP login failed: ${reason}`);
}

const SUBMIT_RESULT: Record<number, string> = {
  0: 'accepted',
  1: 'message structure error',
  2: 'command word error',
  3: 'duplicate sequence number',
  4: 'message length error',
  5: 'fee code error',
  6: 'message too long',
  7: 'service code (Service_Id) error',
  8: 'flow control: the gateway asks to slow down',
  9: 'this gateway does not serve the charged number',
  10: 'Src_Id error',
  11: 'Msg_src error',
  12: 'Fee_terminal_Id error',
  13: 'Dest_terminal_Id error',
};

export function describeSubmitResult(result: number): string {
  if (SUBMIT_RESULT[result]) return SUBMIT_RESULT[result];
  if (result >= 100 && result <= 199) return `gateway-specific error ${result} (see the gateway's error list)`;
  return `error ${result}`;
}

export type ReportStatus = 'delivered' | 'expired' | 'deleted' | 'undeliverable' | 'rejected' | 'unknown' | 'pending';

/** Stat of a status report (§7.4.5.1, table 1) to the package's report status. */
export function reportStatus(stat: string): ReportStatus {
  switch (stat.trim()) {
    case 'DELIVRD':
      return 'delivered';
    case 'EXPIRED':
      return 'expired';
    case 'DELETED':
      return 'deleted';
    case 'UNDELIV':
      return 'undeliverable';
    case 'REJECTD':
      return 'rejected';
    case 'ACCEPTD':
      return 'pending';
    case 'UNKNOWN':
      return 'unknown';
    default:
      return /^(MA|MB|CA|CB):/.test(stat) ? 'undeliverable' : 'unknown';
  }
}
