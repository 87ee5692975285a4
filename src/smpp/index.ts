export { encode, decode, Framer, SmppPdu, HEADER_LENGTH, MAX_PDU_LENGTH } from './codec';
export { COMMANDS, Command, LAYOUTS, TLV_SPECS, commandById } from './messages';
export { describeStatus, statusName, isThrottling } from './status';
export { parseReceipt, receiptStatus, idForms, Receipt } from './receipt';
export { SmppSession, SmppSessionOptions, SessionState, DeliverAck } from './session';
export { SmppClient, SmppClientOptions, SmppSendRequest, SendResult, IncomingSms, LongMessageMode, CarriedOver } from './client';
export { BindMode } from './dialect';
