/** SMPP 3.4 as the package promises it: the client, the codec of every PDU, and the receipt parser. */
export { SmppClient, SmppClientOptions, SmppSendRequest, SendResult, IncomingSms, LongMessageMode, CarriedOver } from './client';
export { encode, decode, SmppPdu } from './codec';
export { Command } from './messages';
export { parseReceipt, Receipt } from './receipt';
export { statusName, describeStatus } from './status';
