/**
 * Every CMPP message (§7.7.1), laid out once as in the CMPP 3.0 document.
 * Where CMPP 2.0 differs, the field says so; the 2.0 layouts follow from the
 * 3.0 revision history ("CMPP V3.0 2003-6-3"): 21-octet terminal ids, an
 * 8-octet Reserve for LinkID, no *_type / pseudo / user-type fields, and
 * one-octet status and result fields in responses.
 */
import { content, Field, FieldType, i32, list, msgId, octets, raw, u16, u32, u8 } from './fields';

export type Version = 0x30 | 0x20;
export const V3: Version = 0x30;
export const V2: Version = 0x20;

interface FieldSpec {
  name: string;
  key: string;
  type: FieldType;
  /** the field in CMPP 2.0: another type, or null when 2.0 has no such field */
  v2?: FieldType | null;
  /** CMPP 2.0 names it differently (LinkID -> Reserve) */
  v2Name?: string;
}

const f = (name: string, key: string, type: FieldType, v2?: FieldType | null, v2Name?: string): FieldSpec => ({ name, key, type, v2, v2Name });
/** a terminal number: 32 octets in 3.0, 21 in 2.0 */
const terminal = (name: string, key: string): FieldSpec => f(name, key, octets(32), octets(21));
/** a response's status or result: 4 octets in 3.0, 1 in 2.0 */
const status = (name: string, key: string): FieldSpec => f(name, key, u32, u8);
/** only in 3.0 */
const only3 = (name: string, key: string, type: FieldType): FieldSpec => f(name, key, type, null);
const linkId = f('LinkID', 'linkId', octets(20), octets(8), 'Reserve');

const ROUTE_TARGET = [f('Destination_Id', 'destinationId', octets(6)), f('Gateway_IP', 'gatewayIp', octets(15)), f('Gateway_port', 'gatewayPort', u16)];
const MT_RANGE = [f('Start_Id', 'startId', octets(9)), f('End_Id', 'endId', octets(9)), f('Area_code', 'areaCode', octets(4))];
const SP_ROUTE = [f('SP_Id', 'spId', octets(6)), f('SP_Code', 'spCode', octets(21)), f('SP_AcessType', 'spAccessType', u8)];
const CODE_RANGE = [f('Start_code', 'startCode', u32), f('End_code', 'endCode', u32)];
const TIME_STAMP = f('Time_stamp', 'timeStamp', octets(14));
const ROUTE_COUNT = [f('Route_total', 'routeTotal', u32), f('Route_number', 'routeNumber', u32)];
const GET_ROUTE = [f('Source_Id', 'sourceId', octets(6)), f('Route_type', 'routeType', octets(4)), f('Last_route_Id', 'lastRouteId', i32)];

export const COMMANDS = {
  CONNECT: 0x00000001,
  CONNECT_RESP: 0x80000001,
  TERMINATE: 0x00000002,
  TERMINATE_RESP: 0x80000002,
  SUBMIT: 0x00000004,
  SUBMIT_RESP: 0x80000004,
  DELIVER: 0x00000005,
  DELIVER_RESP: 0x80000005,
  QUERY: 0x00000006,
  QUERY_RESP: 0x80000006,
  CANCEL: 0x00000007,
  CANCEL_RESP: 0x80000007,
  ACTIVE_TEST: 0x00000008,
  ACTIVE_TEST_RESP: 0x80000008,
  FWD: 0x00000009,
  FWD_RESP: 0x80000009,
  MT_ROUTE: 0x00000010,
  MT_ROUTE_RESP: 0x80000010,
  MO_ROUTE: 0x00000011,
  MO_ROUTE_RESP: 0x80000011,
  GET_MT_ROUTE: 0x00000012,
  GET_MT_ROUTE_RESP: 0x80000012,
  MT_ROUTE_UPDATE: 0x00000013,
  MT_ROUTE_UPDATE_RESP: 0x80000013,
  MO_ROUTE_UPDATE: 0x00000014,
  MO_ROUTE_UPDATE_RESP: 0x80000014,
  PUSH_MT_ROUTE_UPDATE: 0x00000015,
  PUSH_MT_ROUTE_UPDATE_RESP: 0x80000015,
  PUSH_MO_ROUTE_UPDATE: 0x00000016,
  PUSH_MO_ROUTE_UPDATE_RESP: 0x80000016,
  GET_MO_ROUTE: 0x00000017,
  GET_MO_ROUTE_RESP: 0x80000017,
} as const;

export type Command = keyof typeof COMMANDS;

const LAYOUTS: Record<Command, FieldSpec[]> = {
  CONNECT: [f('Source_Addr', 'sourceAddr', octets(6)), f('AuthenticatorSource', 'authenticatorSource', raw(16)), f('Version', 'version', u8), f('Timestamp', 'timestamp', u32)],
  CONNECT_RESP: [status('Status', 'status'), f('AuthenticatorISMG', 'authenticatorIsmg', raw(16)), f('Version', 'version', u8)],
  TERMINATE: [],
  TERMINATE_RESP: [],
  SUBMIT: [
    f('Msg_Id', 'msgId', msgId),
    f('Pk_total', 'pkTotal', u8),
    f('Pk_number', 'pkNumber', u8),
    f('Registered_Delivery', 'registeredDelivery', u8),
    f('Msg_level', 'msgLevel', u8),
    f('Service_Id', 'serviceId', octets(10)),
    f('Fee_UserType', 'feeUserType', u8),
    terminal('Fee_terminal_Id', 'feeTerminalId'),
    only3('Fee_terminal_type', 'feeTerminalType', u8),
    f('TP_pId', 'tpPid', u8),
    f('TP_udhi', 'tpUdhi', u8),
    f('Msg_Fmt', 'msgFmt', u8),
    f('Msg_src', 'msgSrc', octets(6)),
    f('FeeType', 'feeType', octets(2)),
    f('FeeCode', 'feeCode', octets(6)),
    f('ValId_Time', 'validTime', octets(17)),
    f('At_Time', 'atTime', octets(17)),
    f('Src_Id', 'srcId', octets(21)),
    f('DestUsr_tl', 'destUsrTl', u8),
    f('Dest_terminal_Id', 'destTerminalId', list(32, 'destUsrTl'), list(21, 'destUsrTl')),
    only3('Dest_terminal_type', 'destTerminalType', u8),
    f('Msg_Length', 'msgLength', u8),
    f('Msg_Content', 'msgContent', content('msgLength')),
    linkId,
  ],
  SUBMIT_RESP: [f('Msg_Id', 'msgId', msgId), status('Result', 'result')],
  QUERY: [f('Time', 'time', octets(8)), f('Query_Type', 'queryType', u8), f('Query_Code', 'queryCode', octets(10)), f('Reserve', 'reserve', octets(8))],
  QUERY_RESP: [
    f('Time', 'time', octets(8)),
    f('Query_Type', 'queryType', u8),
    f('Query_Code', 'queryCode', octets(10)),
    f('MT_TLMsg', 'mtTlMsg', u32),
    f('MT_Tlusr', 'mtTlUsr', u32),
    f('MT_Scs', 'mtScs', u32),
    f('MT_WT', 'mtWt', u32),
    f('MT_FL', 'mtFl', u32),
    f('MO_Scs', 'moScs', u32),
    f('MO_WT', 'moWt', u32),
    f('MO_FL', 'moFl', u32),
  ],
  DELIVER: [
    f('Msg_Id', 'msgId', msgId),
    f('Dest_Id', 'destId', octets(21)),
    f('Service_Id', 'serviceId', octets(10)),
    f('TP_pid', 'tpPid', u8),
    f('TP_udhi', 'tpUdhi', u8),
    f('Msg_Fmt', 'msgFmt', u8),
    terminal('Src_terminal_Id', 'srcTerminalId'),
    only3('Src_terminal_type', 'srcTerminalType', u8),
    f('Registered_Delivery', 'registeredDelivery', u8),
    f('Msg_Length', 'msgLength', u8),
    f('Msg_Content', 'msgContent', content('msgLength')),
    linkId,
  ],
  DELIVER_RESP: [f('Msg_Id', 'msgId', msgId), status('Result', 'result')],
  CANCEL: [f('Msg_Id', 'msgId', msgId)],
  CANCEL_RESP: [status('Success_Id', 'successId')],
  ACTIVE_TEST: [],
  ACTIVE_TEST_RESP: [f('Reserved', 'reserved', u8)],
  FWD: [
    f('Source_Id', 'sourceId', octets(6)),
    f('Destination_Id', 'destinationId', octets(6)),
    f('NodesCount', 'nodesCount', u8),
    f('Msg_Fwd_Type', 'msgFwdType', u8),
    f('Msg_Id', 'msgId', msgId),
    f('Pk_total', 'pkTotal', u8),
    f('Pk_number', 'pkNumber', u8),
    f('Registered_Delivery', 'registeredDelivery', u8),
    f('Msg_level', 'msgLevel', u8),
    f('Service_Id', 'serviceId', octets(10)),
    f('Fee_UserType', 'feeUserType', u8),
    f('Fee_terminal_Id', 'feeTerminalId', octets(21)),
    only3('Fee_terminal_Pseudo', 'feeTerminalPseudo', octets(32)),
    only3('Fee_terminal_UserType', 'feeTerminalUserType', u8),
    f('TP_pid', 'tpPid', u8),
    f('TP_udhi', 'tpUdhi', u8),
    f('Msg_Fmt', 'msgFmt', u8),
    f('Msg_src', 'msgSrc', octets(6)),
    f('FeeType', 'feeType', octets(2)),
    f('FeeCode', 'feeCode', octets(6)),
    f('Valid_Time', 'validTime', octets(17)),
    f('At_Time', 'atTime', octets(17)),
    f('Src_Id', 'srcId', octets(21)),
    only3('Src_Pseudo', 'srcPseudo', octets(32)),
    only3('Src_UserType', 'srcUserType', u8),
    only3('Src_type', 'srcType', u8),
    f('DestUsr_tl', 'destUsrTl', u8),
    f('Dest_Id', 'destId', list(21, 'destUsrTl')),
    only3('Dest_Pseudo', 'destPseudo', octets(32)),
    only3('Dest_UserType', 'destUserType', u8),
    f('Msg_Length', 'msgLength', u8),
    f('Msg_Content', 'msgContent', content('msgLength')),
    linkId,
  ],
  FWD_RESP: [f('Msg_Id', 'msgId', msgId), f('Pk_total', 'pkTotal', u8), f('Pk_number', 'pkNumber', u8), status('Result', 'result')],
  MT_ROUTE: [f('Source_Id', 'sourceId', octets(6)), f('Terminal_Id', 'terminalId', octets(21))],
  MT_ROUTE_RESP: [f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...MT_RANGE, f('Result', 'result', u8), f('User_type', 'userType', u8), TIME_STAMP],
  MO_ROUTE: [f('Source_Id', 'sourceId', octets(6)), f('SP_Code', 'spCode', octets(21)), f('Service_Id', 'serviceId', octets(10)), f('Service_Code', 'serviceCode', u32)],
  MO_ROUTE_RESP: [f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...SP_ROUTE, ...CODE_RANGE, f('Result', 'result', u8), TIME_STAMP],
  GET_MT_ROUTE: GET_ROUTE,
  GET_MT_ROUTE_RESP: [f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...MT_RANGE, f('Result', 'result', u8), f('User_type', 'userType', u8), ...ROUTE_COUNT, TIME_STAMP],
  GET_MO_ROUTE: GET_ROUTE,
  GET_MO_ROUTE_RESP: [f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...SP_ROUTE, f('Service_Id', 'serviceId', octets(10)), ...CODE_RANGE, f('Result', 'result', u8), ...ROUTE_COUNT, TIME_STAMP],
  MT_ROUTE_UPDATE: [f('Update_type', 'updateType', u8), f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...MT_RANGE, f('User_type', 'userType', u8)],
  MT_ROUTE_UPDATE_RESP: [f('Result', 'result', u8), f('Route_Id', 'routeId', u32), TIME_STAMP],
  MO_ROUTE_UPDATE: [f('Update_type', 'updateType', u8), f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...SP_ROUTE, f('Service_Id', 'serviceId', octets(10)), ...CODE_RANGE],
  MO_ROUTE_UPDATE_RESP: [f('Result', 'result', u8), f('Route_Id', 'routeId', u32), TIME_STAMP],
  PUSH_MT_ROUTE_UPDATE: [f('Update_type', 'updateType', u8), f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...MT_RANGE, f('User_type', 'userType', u8), TIME_STAMP],
  PUSH_MT_ROUTE_UPDATE_RESP: [f('Result', 'result', u8)],
  PUSH_MO_ROUTE_UPDATE: [f('Update_type', 'updateType', u8), f('Route_Id', 'routeId', u32), ...ROUTE_TARGET, ...SP_ROUTE, f('Service_Id', 'serviceId', octets(10)), ...CODE_RANGE, TIME_STAMP],
  PUSH_MO_ROUTE_UPDATE_RESP: [f('Result', 'result', u8)],
};

/** The status report carried in a DELIVER's Msg_Content (§7.4.5.1). */
const REPORT: FieldSpec[] = [
  f('Msg_Id', 'msgId', msgId),
  f('Stat', 'stat', octets(7)),
  f('Submit_time', 'submitTime', octets(10)),
  f('Done_time', 'doneTime', octets(10)),
  f('Dest_terminal_Id', 'destTerminalId', octets(21)),
  f('SMSC_sequence', 'smscSequence', u32),
];
/** The same with a 32-octet terminal id, as 3.0 gateways in the field send it. */
const REPORT_WIDE: FieldSpec[] = REPORT.map((spec) => (spec.key === 'destTerminalId' ? f(spec.name, spec.key, octets(32)) : spec));

function forVersion(specs: FieldSpec[], version: Version): Field[] {
  const fields: Field[] = [];
  for (const spec of specs) {
    if (version === V3 || spec.v2 === undefined) fields.push({ name: spec.name, key: spec.key, type: spec.type });
    else if (spec.v2 !== null) fields.push({ name: spec.v2Name ?? spec.name, key: spec.key, type: spec.v2 });
  }
  return fields;
}

const BY_VERSION = new Map<Version, Map<number, { command: Command; fields: Field[] }>>();
for (const version of [V3, V2]) {
  const table = new Map<number, { command: Command; fields: Field[] }>();
  for (const command of Object.keys(COMMANDS) as Command[]) {
    table.set(COMMANDS[command], { command, fields: forVersion(LAYOUTS[command], version) });
  }
  BY_VERSION.set(version, table);
}

export function layoutById(version: Version, commandId: number): { command: Command; fields: Field[] } | undefined {
  return BY_VERSION.get(version)?.get(commandId);
}

export function layoutOf(version: Version, command: Command): Field[] {
  return (BY_VERSION.get(version) as Map<number, { command: Command; fields: Field[] }>).get(COMMANDS[command])!.fields;
}

export const REPORT_FIELDS = forVersion(REPORT, V3);
export const REPORT_WIDE_FIELDS = forVersion(REPORT_WIDE, V3);
