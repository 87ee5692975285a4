/**
 * What SMPP means to the link engine and the account: its PDUs, the bind
 * (transceiver, transmitter or receiver), enquire_link, unbind, and
 * ESME_RTHROTTLED / ESME_RMSGQFUL as "slow down".
 */
import { AccountDialect } from '../account/account';
import { LinkDialect, LoginOutcome } from '../link/dialect';
import { decode, encodeFrame, Framer, HEADER_LENGTH, isResponseId, SmppPdu } from './codec';
import { Command } from './messages';
import { bindError, isThrottling } from './status';

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';

export interface SmppBind {
  systemId: string;
  password: string;
  systemType: string;
  /** addr_ton, addr_npi and address_range of the bind (which numbers a receiver serves) */
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export const INTERFACE_VERSION = 0x34;

export function smppDialect(bind: SmppBind, mode: BindMode): LinkDialect<SmppPdu> & AccountDialect<SmppPdu> {
  return {
    protocol: 'SMPP',
    framer: () => new Framer(),
    decode,
    encode: (command, sequenceId, body, status) => encodeFrame({ command: command as Command, sequenceId, body, status }),
    isResponse: (pdu) => pdu.command === 'generic_nack' || pdu.command.endsWith('_resp'),
    header: (frame) => ({ sequenceId: frame.length >= HEADER_LENGTH ? frame.readUInt32BE(12) : 0, response: frame.length >= 8 && isResponseId(frame.readUInt32BE(4)) }),
    maxSequence: 0x7fffffff,
    flowControlAnswer: 'ESME_RTHROTTLED or ESME_RMSGQFUL (throttling)',
    isFlowControl: (pdu) => isThrottling(pdu.status),
    keepAlive: { command: 'enquire_link', answer: 'enquire_link_resp', answerBody: {} },
    terminate: { command: 'unbind', answer: 'unbind_resp' },
    login() {
      return {
        command: `bind_${mode}`,
        answer: `bind_${mode}_resp`,
        body: { ...bind, interfaceVersion: INTERFACE_VERSION },
        check(answer): LoginOutcome {
          const { status } = answer as SmppPdu;
          return status === 0 ? { ok: true } : { ok: false, error: bindError(status) };
        },
      };
    },
  };
}
