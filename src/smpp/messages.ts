/**
 * Every SMPP 3.4 PDU (§4), laid out once as in the specification, issue 1.2:
 * the mandatory parameters in order, then the optional parameters (TLVs,
 * §5.3) for the PDUs that may carry them.
 */
import { cString, Field, FieldType, tlvs, TlvSpec, u8 } from '../wire/fields';
import { content, destinations, unsuccessful } from './fields';

export const COMMANDS = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  replace_sm: 0x00000007,
  replace_sm_resp: 0x80000007,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  submit_multi: 0x00000021,
  submit_multi_resp: 0x80000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type Command = keyof typeof COMMANDS;

/** The optional parameters of §5.3.2, by tag. */
export const TLV_SPECS: readonly TlvSpec[] = [
  { tag: 0x0005, name: 'dest_addr_subunit', key: 'destAddrSubunit', kind: 'u8' },
  { tag: 0x0006, name: 'dest_network_type', key: 'destNetworkType', kind: 'u8' },
  { tag: 0x0007, name: 'dest_bearer_type', key: 'destBearerType', kind: 'u8' },
  { tag: 0x0008, name: 'dest_telematics_id', key: 'destTelematicsId', kind: 'u16' },
  { tag: 0x000d, name: 'source_addr_subunit', key: 'sourceAddrSubunit', kind: 'u8' },
  { tag: 0x000e, name: 'source_network_type', key: 'sourceNetworkType', kind: 'u8' },
  { tag: 0x000f, name: 'source_bearer_type', key: 'sourceBearerType', kind: 'u8' },
  { tag: 0x0010, name: 'source_telematics_id', key: 'sourceTelematicsId', kind: 'u8' },
  { tag: 0x0017, name: 'qos_time_to_live', key: 'qosTimeToLive', kind: 'u32' },
  { tag: 0x0019, name: 'payload_type', key: 'payloadType', kind: 'u8' },
  { tag: 0x001d, name: 'additional_status_info_text', key: 'additionalStatusInfoText', kind: 'cstring' },
  { tag: 0x001e, name: 'receipted_message_id', key: 'receiptedMessageId', kind: 'cstring' },
  { tag: 0x0030, name: 'ms_msg_wait_facilities', key: 'msMsgWaitFacilities', kind: 'u8' },
  { tag: 0x0201, name: 'privacy_indicator', key: 'privacyIndicator', kind: 'u8' },
  { tag: 0x0202, name: 'source_subaddress', key: 'sourceSubaddress', kind: 'octets' },
  { tag: 0x0203, name: 'dest_subaddress', key: 'destSubaddress', kind: 'octets' },
  { tag: 0x0204, name: 'user_message_reference', key: 'userMessageReference', kind: 'u16' },
  { tag: 0x0205, name: 'user_response_code', key: 'userResponseCode', kind: 'u8' },
  { tag: 0x020a, name: 'source_port', key: 'sourcePort', kind: 'u16' },
  { tag: 0x020b, name: 'destination_port', key: 'destinationPort', kind: 'u16' },
  { tag: 0x020c, name: 'sar_msg_ref_num', key: 'sarMsgRefNum', kind: 'u16' },
  { tag: 0x020d, name: 'language_indicator', key: 'languageIndicator', kind: 'u8' },
  { tag: 0x020e, name: 'sar_total_segments', key: 'sarTotalSegments', kind: 'u8' },
  { tag: 0x020f, name: 'sar_segment_seqnum', key: 'sarSegmentSeqnum', kind: 'u8' },
  { tag: 0x0210, name: 'sc_interface_version', key: 'scInterfaceVersion', kind: 'u8' },
  { tag: 0x0302, name: 'callback_num_pres_ind', key: 'callbackNumPresInd', kind: 'u8' },
  { tag: 0x0303, name: 'callback_num_atag', key: 'callbackNumAtag', kind: 'octets' },
  { tag: 0x0304, name: 'number_of_messages', key: 'numberOfMessages', kind: 'u8' },
  { tag: 0x0381, name: 'callback_num', key: 'callbackNum', kind: 'octets' },
  { tag: 0x0420, name: 'dpf_result', key: 'dpfResult', kind: 'u8' },
  { tag: 0x0421, name: 'set_dpf', key: 'setDpf', kind: 'u8' },
  { tag: 0x0422, name: 'ms_availability_status', key: 'msAvailabilityStatus', kind: 'u8' },
  { tag: 0x0423, name: 'network_error_code', key: 'networkErrorCode', kind: 'octets' },
  { tag: 0x0424, name: 'message_payload', key: 'messagePayload', kind: 'octets' },
  { tag: 0x0425, name: 'delivery_failure_reason', key: 'deliveryFailureReason', kind: 'u8' },
  { tag: 0x0426, name: 'more_messages_to_send', key: 'moreMessagesToSend', kind: 'u8' },
  { tag: 0x0427, name: 'message_state', key: 'messageState', kind: 'u8' },
  { tag: 0x0501, name: 'ussd_service_op', key: 'ussdServiceOp', kind: 'octets' },
  { tag: 0x1201, name: 'display_time', key: 'displayTime', kind: 'u8' },
  { tag: 0x1203, name: 'sms_signal', key: 'smsSignal', kind: 'u16' },
  { tag: 0x1204, name: 'ms_validity', key: 'msValidity', kind: 'u8' },
  { tag: 0x130c, name: 'alert_on_message_delivery', key: 'alertOnMessageDelivery', kind: 'octets' },
  { tag: 0x1380, name: 'its_reply_type', key: 'itsReplyType', kind: 'u8' },
  { tag: 0x1383, name: 'its_session_info', key: 'itsSessionInfo', kind: 'octets' },
];

const f = (name: string, key: string, type: FieldType): Field => ({ name, key, type });
const optional = f('optional parameters', 'tlvs', tlvs(TLV_SPECS));

const BIND = [
  f('system_id', 'systemId', cString(16)),
  f('password', 'password', cString(9)),
  f('system_type', 'systemType', cString(13)),
  f('interface_version', 'interfaceVersion', u8),
  f('addr_ton', 'addrTon', u8),
  f('addr_npi', 'addrNpi', u8),
  f('address_range', 'addressRange', cString(41)),
];
const BIND_RESP = [f('system_id', 'systemId', cString(16)), optional];
const source = (max: number): Field[] => [f('source_addr_ton', 'sourceAddrTon', u8), f('source_addr_npi', 'sourceAddrNpi', u8), f('source_addr', 'sourceAddr', cString(max))];
const destination = (max: number): Field[] => [f('dest_addr_ton', 'destAddrTon', u8), f('dest_addr_npi', 'destAddrNpi', u8), f('destination_addr', 'destinationAddr', cString(max))];
const MESSAGE_ID = f('message_id', 'messageId', cString(65));
const SHORT_MESSAGE = [f('sm_default_msg_id', 'smDefaultMsgId', u8), f('sm_length', 'smLength', u8), f('short_message', 'shortMessage', content('smLength'))];
/** submit_sm and deliver_sm (§4.4.1, §4.6.1) */
const SM = [
  f('service_type', 'serviceType', cString(6)),
  ...source(21),
  ...destination(21),
  f('esm_class', 'esmClass', u8),
  f('protocol_id', 'protocolId', u8),
  f('priority_flag', 'priorityFlag', u8),
  f('schedule_delivery_time', 'scheduleDeliveryTime', cString(17)),
  f('validity_period', 'validityPeriod', cString(17)),
  f('registered_delivery', 'registeredDelivery', u8),
  f('replace_if_present_flag', 'replaceIfPresentFlag', u8),
  f('data_coding', 'dataCoding', u8),
  ...SHORT_MESSAGE,
  optional,
];

export const LAYOUTS: Record<Command, Field[]> = {
  generic_nack: [],
  bind_receiver: BIND,
  bind_receiver_resp: BIND_RESP,
  bind_transmitter: BIND,
  bind_transmitter_resp: BIND_RESP,
  bind_transceiver: BIND,
  bind_transceiver_resp: BIND_RESP,
  outbind: [f('system_id', 'systemId', cString(16)), f('password', 'password', cString(9))],
  unbind: [],
  unbind_resp: [],
  enquire_link: [],
  enquire_link_resp: [],
  submit_sm: SM,
  submit_sm_resp: [MESSAGE_ID],
  deliver_sm: SM,
  deliver_sm_resp: [MESSAGE_ID],
  submit_multi: [
    f('service_type', 'serviceType', cString(6)),
    ...source(21),
    f('number_of_dests', 'numberOfDests', u8),
    f('dest_address', 'destAddresses', destinations('numberOfDests')),
    ...SM.slice(7),
  ],
  submit_multi_resp: [MESSAGE_ID, f('no_unsuccess', 'noUnsuccess', u8), f('unsuccess_sme', 'unsuccessSmes', unsuccessful('noUnsuccess'))],
  data_sm: [
    f('service_type', 'serviceType', cString(6)),
    ...source(65),
    ...destination(65),
    f('esm_class', 'esmClass', u8),
    f('registered_delivery', 'registeredDelivery', u8),
    f('data_coding', 'dataCoding', u8),
    optional,
  ],
  data_sm_resp: [MESSAGE_ID, optional],
  query_sm: [MESSAGE_ID, ...source(21)],
  query_sm_resp: [MESSAGE_ID, f('final_date', 'finalDate', cString(17)), f('message_state', 'messageState', u8), f('error_code', 'errorCode', u8)],
  cancel_sm: [f('service_type', 'serviceType', cString(6)), MESSAGE_ID, ...source(21), ...destination(21)],
  cancel_sm_resp: [],
  replace_sm: [
    MESSAGE_ID,
    ...source(21),
    f('schedule_delivery_time', 'scheduleDeliveryTime', cString(17)),
    f('validity_period', 'validityPeriod', cString(17)),
    f('registered_delivery', 'registeredDelivery', u8),
    ...SHORT_MESSAGE,
  ],
  replace_sm_resp: [],
  alert_notification: [...source(65), f('esme_addr_ton', 'esmeAddrTon', u8), f('esme_addr_npi', 'esmeAddrNpi', u8), f('esme_addr', 'esmeAddr', cString(65)), optional],
};

const BY_ID = new Map<number, Command>((Object.keys(COMMANDS) as Command[]).map((c) => [COMMANDS[c], c]));

export function commandById(id: number): Command | undefined {
  return BY_ID.get(id);
}

/** a response's command_id has this bit set */
export const RESPONSE_BIT = 0x80000000;
