/**
 * The SMS-SUBMIT PDUs of a whole message: text split by the segmenter for a
 * modem (GSM 7-bit packed after the header, or UCS-2), one PDU per part.
 */
import { Encoding } from '../text/codecs';
import { ReferenceAllocator } from '../text/references';
import { segment, Segmentation } from '../text/segmenter';
import { parseAddress } from './address';
import { Encoded, encodeSubmit } from './tpdu';
import { Validity } from './time';

export interface SubmitsForOptions {
  encoding?: Encoding | 'auto';
  referenceBits?: 8 | 16;
  reference?: number;
  allocator?: ReferenceAllocator;
  statusReport?: boolean;
  validity?: Validity;
  messageClass?: 0 | 1 | 2 | 3;
  smsc?: string | null;
  /** TP-MR of each part (the modem usually sets its own) */
  messageReference?: (part: number) => number;
}

export function submitsFor(to: string, payload: string | Buffer, options: SubmitsForOptions = {}): { split: Segmentation; pdus: Encoded[] } {
  const split = segment(payload, { target: 'pdu', encoding: options.encoding, referenceBits: options.referenceBits, reference: options.reference, to, allocator: options.allocator });
  const alphabet = split.encoding === 'gsm7' ? 'gsm7' : split.encoding === 'ucs2' ? 'ucs2' : '8bit';
  const address = parseAddress(to, 'TP-DA'); // once for every part
  const pdus = split.parts.map((part) =>
    encodeSubmit(
      {
        to: address,
        reference: options.messageReference?.(part.number) ?? 0,
        statusReport: options.statusReport,
        validity: options.validity,
        messageClass: options.messageClass,
        // Without ports, a part has a header exactly when the message has several parts.
        userData: { raw: part.userData, length: part.userDataLength, udhi: split.reference !== undefined, alphabet },
      },
      { smsc: options.smsc },
    ),
  );
  return { split, pdus };
}
