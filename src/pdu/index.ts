export { encodeSubmit, decodeSubmit, encodeDeliver, decodeDeliver, encodeStatusReport, decodeStatusReport, decodeReceived } from './tpdu';
export type { Submit, Deliver, StatusReport, Tpdu, Encoded, UserData, UserDataInput, SubmitInput, DeliverInput, StatusReportInput } from './tpdu';
export { parseAddress, Address, NumberType } from './address';
export { decodeDcs, encodeDcs, DataCoding, Alphabet } from './dcs';
export { Timestamp, Validity, relativeCode, relativeMinutes } from './time';
export { describeTpStatus, tpStatus } from './status';
export { fromHex } from './octets';
export { submitsFor, SubmitsForOptions } from './submits';
