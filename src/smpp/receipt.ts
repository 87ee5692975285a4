/**
 * Delivery receipts (SMPP 3.4 appendix B, not normative): the text
 * `id:... sub:... dlvrd:... submit date:... done date:... stat:... err:...
 * text:...` as SMSCs write it, with the variants met in the field (any
 * order, any case, 10- or 12-digit dates, hex or decimal ids), and the
 * receipted_message_id / message_state TLVs, which win when present.
 */
import type { DeliveryStatus } from '../tracking/reports';
import { TlvValues } from '../wire/fields';

export interface Receipt {
  id: string;
  /** the SMSC's word: DELIVRD, UNDELIV... */
  stat: string;
  status: DeliveryStatus;
  err?: string;
  submitDate?: string;
  doneDate?: string;
  submitted?: number;
  delivered?: number;
  text?: string;
}

/** message_state (§5.3.2.35) */
const STATES: Record<number, string> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

export function receiptStatus(stat: string): DeliveryStatus {
  switch (stat.trim().toUpperCase()) {
    case 'DELIVRD':
    case 'DELIVERED':
      return 'delivered';
    case 'EXPIRED':
      return 'expired';
    case 'DELETED':
      return 'deleted';
    case 'UNDELIV':
    case 'UNDELIVERABLE':
    case 'FAILED':
      return 'undeliverable';
    case 'REJECTD':
    case 'REJECTED':
      return 'rejected';
    case 'ENROUTE':
    case 'ACCEPTD':
    case 'ACCEPTED':
      return 'pending';
    default:
      return 'unknown';
  }
}

/** Each field of the receipt text, made once: a receipt is read for every report that comes. */
const FIELDS = {
  id: /(?:^|\s)id:(\S*)/i,
  stat: /(?:^|\s)stat:(\S*)/i,
  err: /(?:^|\s)err:(\S*)/i,
  sub: /(?:^|\s)sub:(\S*)/i,
  dlvrd: /(?:^|\s)dlvrd:(\S*)/i,
};

const field = (text: string, name: keyof typeof FIELDS): string | undefined => FIELDS[name].exec(text)?.[1];

/** Reads a receipt from its text and TLVs; undefined when neither gives an id. */
export function parseReceipt(text: string, tlvs: TlvValues = {}): Receipt | undefined {
  const id = (tlvs.receiptedMessageId as string | undefined) ?? field(text, 'id');
  if (!id) return undefined;
  const state = tlvs.messageState as number | undefined;
  const stat = (state !== undefined ? STATES[state] : undefined) ?? field(text, 'stat') ?? 'UNKNOWN';
  const count = (name: 'sub' | 'dlvrd'): number | undefined => {
    const v = field(text, name);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const textAt = /(?:^|\s)text:/i.exec(text);
  return {
    id,
    stat,
    status: receiptStatus(stat),
    err: field(text, 'err'),
    submitDate: /submit date:(\d{10,12})/i.exec(text)?.[1],
    doneDate: /done date:(\d{10,12})/i.exec(text)?.[1],
    submitted: count('sub'),
    delivered: count('dlvrd'),
    text: textAt ? text.slice(textAt.index + textAt[0].length) : undefined,
  };
}

/**
 * The forms an id may take between submit_sm_resp and the receipt: as it
 * is (lower case, without leading zeros), and read as hex or as decimal
 * and written the other way. Receipts from many SMSCs carry the id in the
 * other base.
 */
export function idForms(id: string): string[] {
  const plain = id
    .trim()
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
  const forms = [plain];
  // Numbers a double holds exactly (the usual ids) are converted without a BigInt.
  if (/^[0-9a-f]{1,16}$/.test(plain)) forms.push(plain.length <= 13 ? parseInt(plain, 16).toString() : BigInt(`0x${plain}`).toString());
  if (/^\d{1,20}$/.test(plain)) {
    if (plain.length <= 15) forms.push(Number(plain).toString(16));
    else if (BigInt(plain) < 1n << 64n) forms.push(BigInt(plain).toString(16));
  }
  return [...new Set(forms)];
}
