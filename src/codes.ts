/**
 * Every `err.code` the package gives, in one list. A flow or a Catch node may
 * switch on them; the README's error table explains each. Codes with a
 * number carry the carrier's or the modem's own code (CMPP_13, IMSP_22,
 * CMS_331, CME_16).
 */

/** the binary protocols the link engine carries */
export type Protocol = 'CMPP' | 'SMPP';

/** what can befall a request on a link or in an account, per protocol */
export type LinkCode =
  | 'CLOSED'
  | 'NOT_CONNECTED'
  | 'QUEUE_FULL'
  | 'QUEUE_TIMEOUT'
  | 'UNCERTAIN'
  | 'TIMEOUT'
  | 'CONNECT_TIMEOUT'
  | 'DISCONNECTED'
  | 'FLOW_CONTROL'
  | 'KEEPALIVE'
  | 'PROTOCOL'
  | 'BACKPRESSURE'
  | 'FRAME'
  | 'DECODE'
  | 'FIELD'
  | 'BAD_ANSWER';

export type ErrorCode =
  // any channel: the msg cannot be sent as it is
  | 'SMS_FIELD'
  | 'SMS_ENCODING'
  | 'SMS_EMPTY'
  | 'SMS_TOO_LONG'
  | 'SMS_TOO_MANY_PARTS'
  | 'SMS_NOT_SENT'
  | 'SMS_MALFORMED'
  | 'SMS_TRUNCATED'
  // a route: no rule takes the number
  | 'SMS_NO_ROUTE'
  // a policy: the message was not sent to this number, by rule
  | 'SMS_RATE_LIMITED'
  | 'SMS_DUPLICATE'
  | 'SMS_QUIET_HOURS'
  | 'SMS_OPTED_OUT'
  | 'SMS_NOT_FOUND'
  // a field a binary message cannot hold (named with the protocol by the table engine)
  | 'WIRE_FIELD'
  // CMPP
  | `${Protocol}_${LinkCode}`
  | 'CMPP_AUTH'
  | `CMPP_CONNECT_${number}`
  | `CMPP_${number}`
  | 'CMPP_LOOSE_AUTHENTICATOR'
  | 'CMPP_ERROR'
  | 'CMPP_BAD_DELIVER'
  | 'CMPP_UNKNOWN_COMMAND'
  | 'CMPP_UNEXPECTED'
  | 'CMPP_MO_HEADER'
  // SMPP: the SMSC's command_status (SMPP_88 is ESME_RTHROTTLED), and what befalls a bind or a PDU
  | `SMPP_${number}`
  | 'SMPP_BIND'
  | 'SMPP_UNKNOWN_COMMAND'
  | 'SMPP_UNEXPECTED'
  | 'SMPP_BAD_DELIVER'
  | 'SMPP_MO_HEADER'
  | 'SMPP_ERROR'
  // IMSP
  | `IMSP_${number}`
  | 'IMSP_PARAM'
  | 'IMSP_TLS'
  | 'IMSP_TLS_CERTIFICATE'
  | 'IMSP_NETWORK'
  | 'IMSP_UNCERTAIN'
  | 'IMSP_HTTP'
  | 'IMSP_TIMEOUT'
  | 'IMSP_REPLY'
  | 'IMSP_REPLY_TOO_LARGE'
  | 'IMSP_ERROR'
  // GSM modem
  | `CMS_${number}`
  | `CME_${number}`
  | 'MODEM_OPEN'
  | 'MODEM_CLOSED'
  | 'MODEM_TIMEOUT'
  | 'MODEM_BUSY'
  | 'MODEM_ERROR'
  | 'MODEM_REPLY'
  | 'MODEM_LINE_TOO_LONG'
  | 'MODEM_URC'
  | 'MODEM_PIN'
  | 'MODEM_PIN_REFUSED'
  | 'MODEM_PUK'
  | 'MODEM_QUEUE_TIMEOUT'
  | 'MODEM_NOT_READY'
  // the store
  | 'STORE_DRIVER'
  | 'STORE_UNREACHABLE'
  | 'STORE_WRITE'
  // PDU codec
  | 'PDU_FIELD'
  | 'PDU_HEX'
  | 'PDU_LENGTH'
  | 'PDU_TRUNCATED'
  | 'PDU_TYPE'
  | 'PDU_UNSUPPORTED'
  | 'PDU_ERROR';
