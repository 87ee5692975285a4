/**
 * Encodes and decodes whole SMPP PDUs (16-octet header + body) from the
 * tables. Pure functions; a failure is an SmsError naming the field
 * (SMPP_FIELD on encode, SMPP_DECODE on decode).
 */
import { SmsError } from '../errors';
import { Body } from '../wire/fields';
import { LengthPrefixedFramer } from '../wire/framer';
import { bodySize, readFields, refuseUnknownFields, writeFields } from '../wire/table';
import { Command, commandById, COMMANDS, LAYOUTS, RESPONSE_BIT } from './messages';

export const HEADER_LENGTH = 16;
/** Larger than any PDU this package sends or takes: a message_payload of 64 KiB and the fields around it. */
export const MAX_PDU_LENGTH = 70 * 1024;

export interface SmppPdu<B extends Body = Body> {
  command: Command;
  /** command_status: 0 in requests; in a response, 0 (ESME_ROK) or the error */
  status: number;
  sequenceId: number;
  body: B;
}

export function isResponseId(commandId: number): boolean {
  return commandId >= RESPONSE_BIT;
}

/** Encodes a PDU whose body a user built: a field of a name the PDU does not have is refused, naming it. */
export function encode(pdu: { command: Command; sequenceId: number; status?: number; body?: Body }): Buffer {
  if (pdu.body && Object.hasOwn(LAYOUTS, pdu.command)) refuseUnknownFields(LAYOUTS[pdu.command], pdu.body, pdu.command, 'SMPP');
  return encodeFrame(pdu);
}

/** Encodes a PDU the package built itself (its bodies have the table's names): the link's hot path. */
export function encodeFrame(pdu: { command: Command; sequenceId: number; status?: number; body?: Body }): Buffer {
  const fields = Object.hasOwn(LAYOUTS, pdu.command) ? LAYOUTS[pdu.command] : undefined;
  if (!fields) throw new SmsError('SMPP_FIELD', `command: "${String(pdu.command)}" is not an SMPP 3.4 command`, 'command');
  const status = pdu.status ?? 0;
  for (const [name, value] of [
    ['sequence_number', pdu.sequenceId],
    ['command_status', status],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new SmsError('SMPP_FIELD', `${name}: must be a whole number from 0 to 4294967295, got ${value}`, name);
  }
  // A response with an error carries no body (§3.3: "the body is not returned"), unless one is given.
  const body = pdu.body ?? {};
  const bare = status !== 0 && pdu.body === undefined && isResponseId(COMMANDS[pdu.command]);
  const length = HEADER_LENGTH + (bare ? 0 : bodySize(fields, body));
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(COMMANDS[pdu.command], 4);
  out.writeUInt32BE(status, 8);
  out.writeUInt32BE(pdu.sequenceId, 12);
  if (!bare) writeFields(fields, body, out, HEADER_LENGTH, 'SMPP');
  return out;
}

/** Decodes one whole PDU (as the framer cuts them). */
export function decode(frame: Buffer): SmppPdu {
  if (frame.length < HEADER_LENGTH) throw new SmsError('SMPP_DECODE', `PDU: ${frame.length} octets is shorter than the 16-octet header`, 'command_length');
  const length = frame.readUInt32BE(0);
  if (length !== frame.length) throw new SmsError('SMPP_DECODE', `PDU: command_length says ${length} octets, the PDU has ${frame.length}`, 'command_length');
  const commandId = frame.readUInt32BE(4);
  const command = commandById(commandId);
  if (!command) throw new SmsError('SMPP_DECODE', `PDU: command_id 0x${commandId.toString(16).padStart(8, '0')} is not an SMPP 3.4 command`, 'command_id');
  const status = frame.readUInt32BE(8);
  const sequenceId = frame.readUInt32BE(12);
  // An SMSC leaves out the body of a response that reports an error.
  const body = length === HEADER_LENGTH && isResponseId(commandId) ? {} : readFields(LAYOUTS[command], frame, HEADER_LENGTH, length, command, 'SMPP');
  return { command, status, sequenceId, body };
}

export class Framer extends LengthPrefixedFramer {
  constructor(maxLength = MAX_PDU_LENGTH) {
    super({ headerLength: HEADER_LENGTH, maxLength, protocol: 'SMPP', lengthField: 'command_length' });
  }
}
