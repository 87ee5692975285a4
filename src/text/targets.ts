/**
 * What each carrier path accepts: which encodings, under which protocol code,
 * how much one message holds, and which encodings "auto" tries, cheapest first.
 */
import { SmsError } from '../errors';
import { Encoding } from './codecs';
import { NewlineStyle } from './gsm7';

export type Target = 'pdu' | 'cmpp' | 'imsp' | 'smpp' | 'generic';
export const TARGETS: readonly Target[] = ['generic', 'pdu', 'cmpp', 'imsp', 'smpp'];

export interface EncodingRule {
  /** the protocol's code: PDU TP-DCS, CMPP Msg_Fmt, IMSP msg_dcs */
  code: number;
  /** capacity of a message without a header, in the encoding's units */
  single: number;
  /** capacity, header included, of a message that carries a header */
  withHeader: number;
  /** units are septets (a header eats whole septets) or octets */
  unit: 'septet' | 'octet';
  /** false where the protocol allows no user data header (IMSP Big5) */
  concatenates: boolean;
  /** a larger single capacity for text that is all ASCII (IMSP Big5: 160 English characters, 70 Chinese) */
  singleIfAscii?: number;
}

export interface TargetProfile {
  target: Target;
  auto: readonly Encoding[];
  rules: Partial<Record<Encoding, EncodingRule>>;
  /** how a line break is written in GSM 7-bit */
  newline: NewlineStyle;
  /** GSM 7-bit is carried packed (PDU) or as one septet value per octet */
  packsSeptets: boolean;
}

const septets = (code: number): EncodingRule => ({ code, single: 160, withHeader: 160, unit: 'septet', concatenates: true });
const octets = (code: number, single = 140): EncodingRule => ({ code, single, withHeader: 140, unit: 'octet', concatenates: true });

const GSM_RULES: Partial<Record<Encoding, EncodingRule>> = {
  gsm7: septets(0x00),
  binary: octets(0x04),
  ucs2: octets(0x08),
};

export const PROFILES: Record<Target, TargetProfile> = {
  generic: { target: 'generic', auto: ['gsm7', 'ucs2'], rules: GSM_RULES, newline: 'lf', packsSeptets: true },
  pdu: { target: 'pdu', auto: ['gsm7', 'ucs2'], rules: GSM_RULES, newline: 'lf', packsSeptets: true },
  cmpp: {
    target: 'cmpp',
    auto: ['ascii', 'ucs2'],
    // Msg_Length: "< 160 bytes" for Msg_Fmt 0, "<= 140 bytes" otherwise (CMPP 3.0 §7.4.3.1)
    rules: { ascii: octets(0, 159), binary: octets(4), ucs2: octets(8), gbk: octets(15) },
    newline: 'lf',
    packsSeptets: false,
  },
  smpp: {
    target: 'smpp',
    auto: ['gsm7', 'ucs2'],
    // data_coding 0 is the SMSC's default alphabet, GSM 7-bit sent unpacked: one septet a octet.
    rules: { gsm7: septets(0x00), latin1: octets(0x03), ucs2: octets(0x08), binary: octets(0x04) },
    newline: 'lf',
    packsSeptets: false,
  },
  imsp: {
    target: 'imsp',
    auto: ['gsm7', 'ucs2'],
    rules: {
      big5: { code: 0, single: 140, withHeader: 140, unit: 'octet', concatenates: false, singleIfAscii: 160 },
      // ASCII goes one character per octet but is counted like GSM text:
      // 160 characters, 153 or 152 after a concatenation header (example 6).
      ascii: septets(1),
      gsm7: septets(3),
      ucs2: octets(8),
      binary: octets(4),
    },
    newline: 'escape',
    packsSeptets: false,
  },
};

export function profileFor(target: Target): TargetProfile {
  // Own properties only: "__proto__" or "constructor" from a msg are not targets.
  const profile = Object.hasOwn(PROFILES, target) ? PROFILES[target] : undefined;
  if (!profile) throw new SmsError('SMS_FIELD', `target: "${target}" is not one of ${TARGETS.join(', ')}`, 'target');
  return profile;
}

export function ruleFor(profile: TargetProfile, encoding: Encoding): EncodingRule {
  const rule = Object.hasOwn(profile.rules, encoding) ? profile.rules[encoding] : undefined;
  if (!rule) {
    const allowed = Object.keys(profile.rules).join(', ');
    throw new SmsError('SMS_ENCODING', `encoding: ${profile.target} cannot carry ${encoding}; it takes ${allowed}`, 'encoding');
  }
  return rule;
}

/** Units left for text after a header of `udhOctets` octets. */
export function capacityAfterHeader(rule: EncodingRule, udhOctets: number): number {
  if (udhOctets === 0) return rule.single;
  return rule.unit === 'septet' ? rule.withHeader - Math.ceil((udhOctets * 8) / 7) : rule.withHeader - udhOctets;
}
