/** CMPP 2.0 / 3.0 as the package promises it: the client, and the codec of every message with the Msg_Id helpers. */
export { CmppClient, CmppClientOptions, CmppSendRequest, SendResult, IncomingSms, CarriedOver } from './client';
export { encode, decode, decodeReport, encodeReport, CmppPdu, StatusReport } from './codec';
export { Command, Version, V2, V3 } from './messages';
export { packMsgId, unpackMsgId, msgIdToBuffer, msgIdFromBuffer, MsgIdFields } from './msgid';
