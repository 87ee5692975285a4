/**
 * The bodies of the CMPP messages an SP sends and receives, typed as the
 * codec reads them (integers as numbers, octet strings as text, Msg_Id as
 * decimal text, content as a Buffer). `bodyOf` gives a decoded message's
 * body its type after checking its command; `responseTo` makes the answer
 * to a request.
 */
import { SmsError } from '../errors';
import { CmppPdu } from './codec';
import { Body } from './fields';
import { Command } from './messages';

export interface ConnectBody {
  sourceAddr: string;
  authenticatorSource: Buffer;
  version: number;
  timestamp: number;
}
export interface ConnectRespBody {
  status: number;
  authenticatorIsmg: Buffer;
  version: number;
}
export interface SubmitBody {
  msgId: string;
  pkTotal: number;
  pkNumber: number;
  registeredDelivery: number;
  msgLevel: number;
  serviceId: string;
  feeUserType: number;
  feeTerminalId: string;
  feeTerminalType?: number;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  msgSrc: string;
  feeType: string;
  feeCode: string;
  validTime: string;
  atTime: string;
  srcId: string;
  destUsrTl: number;
  destTerminalId: string[];
  destTerminalType?: number;
  msgLength: number;
  msgContent: Buffer;
  linkId?: string;
}
export interface SubmitRespBody {
  msgId: string;
  result: number;
}
export interface DeliverBody {
  msgId: string;
  destId: string;
  serviceId: string;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  srcTerminalId: string;
  srcTerminalType?: number;
  registeredDelivery: number;
  msgLength: number;
  msgContent: Buffer;
  linkId?: string;
}
export interface DeliverRespBody {
  msgId: string;
  result: number;
}
export interface CancelRespBody {
  successId: number;
}

export interface Bodies {
  CONNECT: ConnectBody;
  CONNECT_RESP: ConnectRespBody;
  SUBMIT: SubmitBody;
  SUBMIT_RESP: SubmitRespBody;
  DELIVER: DeliverBody;
  DELIVER_RESP: DeliverRespBody;
  CANCEL_RESP: CancelRespBody;
}

/** A decoded message's body, typed; throws when the message is another command. */
export function bodyOf<C extends keyof Bodies>(pdu: CmppPdu, command: C): Bodies[C] {
  if (pdu.command !== command) throw new SmsError('CMPP_UNEXPECTED', `expected CMPP_${command}, got CMPP_${pdu.command}`);
  return pdu.body as unknown as Bodies[C];
}

/** A body typed for sending (the codec takes any message's fields by name). */
export function asBody<C extends keyof Bodies>(_command: C, body: Bodies[C]): Body {
  return body as unknown as Body;
}

/** The answer to a request: the _RESP command with the request's Sequence_Id. */
export function responseTo(request: { command: Command; sequenceId: number }, body: Body): { command: Command; sequenceId: number; body: Body } {
  if (request.command.endsWith('_RESP')) throw new SmsError('CMPP_FIELD', `CMPP_${request.command} is an answer; it is not answered`, 'command');
  return { command: `${request.command}_RESP` as Command, sequenceId: request.sequenceId, body };
}
