export { encode, decode, decodeReport, encodeReport, CmppPdu, StatusReport, HEADER_LENGTH } from './codec';
export { Framer, DEFAULT_MAX_FRAME } from './framer';
export { COMMANDS, Command, Version, V2, V3, layoutOf } from './messages';
export { packMsgId, unpackMsgId, msgIdToBuffer, msgIdFromBuffer, msgIdPlus, MsgIdFields } from './msgid';
export { authenticatorSource, authenticatorIsmg, connectTimestamp } from './auth';
export { CmppSession, SessionOptions, SessionState, Delivery, RetryError, uncertain } from './session';
export { CmppClient, CmppClientOptions, CmppSendRequest, SendResult, IncomingSms, CarriedOver, parseRecipients } from './client';
export { decodeContent } from './content';
export { reportStatus, describeSubmitResult } from './status';
