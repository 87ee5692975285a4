/**
 * Encodes and decodes whole CMPP frames (12-octet header + body) from the
 * field tables. Pure functions: nothing is mutated, every failure is an
 * SmsError whose code says what kind (CMPP_FIELD on encode, CMPP_DECODE on
 * decode) and whose message names the field.
 */
import { SmsError } from '../errors';
import { bodySize, readFields as readTable, refuseUnknownFields, writeFields as writeTable } from '../wire/table';
import { Body, Field } from './fields';
import { Command, COMMANDS, layoutById, layoutOf, REPORT_FIELDS, REPORT_WIDE_FIELDS, Version, V2, V3 } from './messages';

export const HEADER_LENGTH = 12;

export interface CmppPdu<B extends Body = Body> {
  command: Command;
  sequenceId: number;
  body: B;
}

const writeFields = (fields: Field[], body: Body, out: Buffer, start: number): void => writeTable(fields, body, out, start, 'CMPP');
const readFields = (fields: Field[], data: Buffer, start: number, end: number, what: string): Body => readTable(fields, data, start, end, what, 'CMPP');

/** Encodes a frame whose body a user built: a field of a name the message does not have is refused, naming it. */
export function encode(pdu: { command: Command; sequenceId: number; body?: Body }, version: Version = V3): Buffer {
  const fields = pdu.body && eitherVersion(pdu.command);
  if (fields) refuseUnknownFields(fields, pdu.body as Body, `CMPP_${pdu.command}`, 'CMPP');
  return encodeFrame(pdu, version);
}

/** A command's fields in 2.0 and 3.0 together: a body for both versions may carry 3.0's fields to a 2.0 gateway (they are left out). */
const bothVersions = new Map<Command, Field[]>();
function eitherVersion(command: Command): Field[] | undefined {
  let fields = bothVersions.get(command);
  if (!fields) {
    const all = [...(layoutOf(V3, command) ?? []), ...(layoutOf(V2, command) ?? [])];
    if (!all.length) return undefined;
    fields = all;
    bothVersions.set(command, fields);
  }
  return fields;
}

/** Encodes a frame the package built itself (its bodies have the table's names): the link's hot path. */
export function encodeFrame(pdu: { command: Command; sequenceId: number; body?: Body }, version: Version = V3): Buffer {
  const fields = layoutOf(version, pdu.command);
  if (!fields) throw new SmsError('CMPP_FIELD', `command: "${String(pdu.command)}" is not a CMPP command`, 'command');
  const body = pdu.body ?? {};
  const length = HEADER_LENGTH + bodySize(fields, body);
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(COMMANDS[pdu.command], 4);
  if (!Number.isInteger(pdu.sequenceId) || pdu.sequenceId < 0 || pdu.sequenceId > 0xffffffff) {
    throw new SmsError('CMPP_FIELD', `Sequence_Id: must be a whole number from 0 to 4294967295, got ${pdu.sequenceId}`, 'Sequence_Id');
  }
  out.writeUInt32BE(pdu.sequenceId, 8);
  writeFields(fields, body, out, HEADER_LENGTH);
  return out;
}

/** Decodes one whole frame (as the framer cuts them). */
export function decode(frame: Buffer, version: Version = V3): CmppPdu {
  if (frame.length < HEADER_LENGTH) throw new SmsError('CMPP_DECODE', `frame: ${frame.length} octets is shorter than the 12-octet header`, 'Total_Length');
  const length = frame.readUInt32BE(0);
  if (length !== frame.length) throw new SmsError('CMPP_DECODE', `frame: Total_Length says ${length} octets, the frame has ${frame.length}`, 'Total_Length');
  const commandId = frame.readUInt32BE(4);
  const layout = layoutById(version, commandId);
  if (!layout) throw new SmsError('CMPP_DECODE', `frame: Command_Id 0x${commandId.toString(16).padStart(8, '0')} is not a CMPP command`, 'Command_Id');
  const body = readFields(layout.fields, frame, HEADER_LENGTH, frame.length, `CMPP_${layout.command}`);
  return { command: layout.command, sequenceId: frame.readUInt32BE(8), body };
}

export type StatusReport = {
  msgId: string;
  stat: string;
  submitTime: string;
  doneTime: string;
  destTerminalId: string;
  smscSequence: number;
};

/**
 * Reads the status report in a DELIVER's Msg_Content: 60 octets as the
 * document lays it out, or 71 with a 32-octet terminal id.
 */
export function decodeReport(content: Buffer): StatusReport {
  if (content.length === 60) return readFields(REPORT_FIELDS, content, 0, 60, 'status report') as StatusReport;
  if (content.length === 71) return readFields(REPORT_WIDE_FIELDS, content, 0, 71, 'status report') as StatusReport;
  throw new SmsError('CMPP_DECODE', `status report: Msg_Content is ${content.length} octets, a report has 60 (21-octet terminal id) or 71 (32-octet)`, 'Msg_Content');
}

export function encodeReport(report: StatusReport, wide = false): Buffer {
  const fields = wide ? REPORT_WIDE_FIELDS : REPORT_FIELDS;
  const out = Buffer.allocUnsafe(bodySize(fields, report));
  writeFields(fields, report, out, 0);
  return out;
}
