/**
 * What CMPP means to the link engine and the account: its frames, CONNECT
 * with the authenticators, ACTIVE_TEST and TERMINATE, and SUBMIT_RESP Result
 * 8 as "slow down".
 */
import { SmsError } from '../errors';
import { AccountDialect } from '../account/account';
import { LinkDialect, LoginOutcome } from '../link/dialect';
import { authenticatorIsmg, authenticatorSource, connectTimestamp, sourceAddrOctets } from './auth';
import { bodyOf } from './bodies';
import { CmppPdu, decode, encodeFrame } from './codec';
import { Framer } from './framer';
import { Command, Version } from './messages';
import { connectError } from './status';

export interface CmppLogin {
  spId: string;
  sharedSecret: string;
  version: Version;
  utcOffsetMinutes: number;
  acceptLooseAuthenticator: boolean;
  host: string;
  port: number;
  now: () => number;
}

export function cmppDialect(login: CmppLogin): LinkDialect<CmppPdu> & AccountDialect<CmppPdu> {
  const { version } = login;
  let warnedLoose = false;
  return {
    protocol: 'CMPP',
    framer: () => new Framer(),
    decode: (frame) => decode(frame, version),
    encode: (command, sequenceId, body) => encodeFrame({ command: command as Command, sequenceId, body }, version),
    isResponse: (pdu) => pdu.command.endsWith('_RESP'),
    header: (frame) => ({ sequenceId: frame.length >= 12 ? frame.readUInt32BE(8) : 0, response: frame.length >= 8 && (frame.readUInt32BE(4) & 0x80000000) !== 0 }),
    maxSequence: 0xffffffff,
    flowControlAnswer: 'SUBMIT_RESP Result 8 (flow control)',
    isFlowControl: (pdu) => pdu.command === 'SUBMIT_RESP' && bodyOf(pdu, 'SUBMIT_RESP').result === 8,
    keepAlive: { command: 'ACTIVE_TEST', answer: 'ACTIVE_TEST_RESP', answerBody: { reserved: 0 } },
    terminate: { command: 'TERMINATE', answer: 'TERMINATE_RESP' },
    login() {
      // The timestamp is taken once: the same value goes into the MD5 and the Timestamp field.
      const timestamp = connectTimestamp(login.now(), login.utcOffsetMinutes);
      const source = authenticatorSource(login.spId, login.sharedSecret, timestamp.text);
      return {
        command: 'CONNECT',
        answer: 'CONNECT_RESP',
        body: { sourceAddr: sourceAddrOctets(login.spId).toString('latin1').replace(/\0+$/, ''), authenticatorSource: source, version, timestamp: timestamp.value },
        check(answer): LoginOutcome {
          const { status, authenticatorIsmg: got } = bodyOf(answer as CmppPdu, 'CONNECT_RESP');
          if (status !== 0) return { ok: false, error: connectError(status) };
          const expected = authenticatorIsmg(0, source, login.sharedSecret, version);
          if (expected.equals(got)) return { ok: true };
          if (!login.acceptLooseAuthenticator) {
            return {
              ok: false,
              error: new SmsError(
                'CMPP_AUTH',
                'CMPP login failed: the gateway\'s AuthenticatorISMG does not match; the shared secret differs from the gateway\'s, or this is not the expected gateway (if the gateway is known to fill it loosely, turn on "accept a loose AuthenticatorISMG")',
              ),
            };
          }
          if (warnedLoose) return { ok: true };
          warnedLoose = true;
          return {
            ok: true,
            warning: new SmsError(
              'CMPP_LOOSE_AUTHENTICATOR',
              `the gateway at ${login.host}:${login.port} answered CONNECT with an AuthenticatorISMG that does not match; accepted, as the connection is set to`,
            ),
          };
        },
      };
    },
  };
}
