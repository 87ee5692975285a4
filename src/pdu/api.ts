/** The 3GPP 23.040 PDU codec as the package promises it: SMS-SUBMIT, SMS-DELIVER and SMS-STATUS-REPORT, both ways. */
export { encodeSubmit, decodeSubmit, encodeDeliver, decodeDeliver, encodeStatusReport, decodeStatusReport, decodeReceived } from './tpdu';
export type { Submit, Deliver, StatusReport, Tpdu, Encoded, UserData, UserDataInput, SubmitInput, DeliverInput, StatusReportInput } from './tpdu';
