/**
 * The SMS core of @smsflow/node-red-sms, usable without Node-RED:
 * `require('@smsflow/node-red-sms/core')`. What 0.1.0 promises to keep: the
 * clients of each channel, the codecs (CMPP, SMPP, the IMSP reply, the GSM
 * PDU), the segmenter and the reassembler, the stores, the router over them all, and the error type
 * with its codes. The rest of the core is the package's own.
 */
export { SmsError, ErrorCode } from './errors';
export { segment, SegmentOptions, Segmentation, SmsPart, Encoding, Target, Reassembler, ReassemblerOptions, ReassembledMessage, encodeText, decodeText } from './text';
export { DeliveryReport, DeliveryStatus } from './tracking/reports';
export { PartResult, SendResult } from './results';
export * as cmpp from './cmpp/api';
export * as smpp from './smpp/api';
export * as imsp from './imsp/api';
export * as pdu from './pdu/api';
export * as modem from './modem/api';
export * as store from './store/api';
export * as route from './route/api';
export * as policy from './policy/api';
