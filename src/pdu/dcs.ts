/**
 * TP-DCS (3GPP 23.038 §4): which alphabet the user data is in, the message
 * class, and the message-waiting groups.
 */
import { SmsError } from '../errors';

export type Alphabet = 'gsm7' | '8bit' | 'ucs2';

export interface DataCoding {
  alphabet: Alphabet;
  /** 0 flash, 1 ME-specific, 2 SIM-specific, 3 TE-specific */
  messageClass?: 0 | 1 | 2 | 3;
  autoDelete?: boolean;
  /** message waiting indication groups (1100..1110) */
  waiting?: { active: boolean; kind: 'voicemail' | 'fax' | 'email' | 'other'; store: boolean };
}

const ALPHABETS: Array<Alphabet | undefined> = ['gsm7', '8bit', 'ucs2', undefined];
const KINDS = ['voicemail', 'fax', 'email', 'other'] as const;

export function decodeDcs(dcs: number): DataCoding {
  const group = dcs >> 4;
  if (group <= 0x7) {
    if (dcs & 0x20) {
      throw new SmsError('PDU_UNSUPPORTED', `TP-DCS 0x${dcs.toString(16).padStart(2, '0')}: the user data is compressed (23.042), which this package does not read`, 'TP-DCS');
    }
    const alphabet = ALPHABETS[(dcs >> 2) & 0x03];
    if (!alphabet) throw new SmsError('PDU_UNSUPPORTED', `TP-DCS 0x${dcs.toString(16).padStart(2, '0')}: reserved alphabet`, 'TP-DCS');
    const out: DataCoding = { alphabet };
    if (dcs & 0x10) out.messageClass = (dcs & 0x03) as 0 | 1 | 2 | 3;
    if (group >= 0x4) out.autoDelete = true;
    return out;
  }
  if (group >= 0xc && group <= 0xe) {
    return {
      alphabet: group === 0xe ? 'ucs2' : 'gsm7',
      waiting: { active: (dcs & 0x08) !== 0, kind: KINDS[dcs & 0x03], store: group !== 0xc },
    };
  }
  if (group === 0xf) return { alphabet: dcs & 0x04 ? '8bit' : 'gsm7', messageClass: (dcs & 0x03) as 0 | 1 | 2 | 3 };
  // 1000..1011 are reserved; 23.038 asks receivers to read them as GSM 7-bit.
  return { alphabet: 'gsm7' };
}

export function encodeDcs(c: DataCoding): number {
  let dcs = [0, 4, 8][['gsm7', '8bit', 'ucs2'].indexOf(c.alphabet)];
  if (c.messageClass !== undefined) dcs |= 0x10 | c.messageClass;
  if (c.autoDelete) dcs |= 0x40;
  return dcs;
}
