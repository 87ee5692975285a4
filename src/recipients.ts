/**
 * The numbers a send goes to, from what a flow gives: one number, a comma or
 * space separated list, or an array. Each is refused, naming it, when it is
 * not digits (a + may lead) or is longer than the protocol's field.
 */
import { SmsError } from './errors';

const NUMBER = /^\+?\d{3,}$/;

/** `countPlus`: the + counts towards `maxLength` (CMPP writes it); SMPP leaves it out of the field. */
export function parseRecipients(to: unknown, maxLength: number, countPlus = true): string[] {
  const fits = (n: string): boolean => NUMBER.test(n) && (countPlus || n[0] !== '+' ? n.length : n.length - 1) <= maxLength;
  if (typeof to === 'string' && fits(to)) return [to]; // the common case: one number
  const list = (Array.isArray(to) ? to.map(String) : typeof to === 'string' || typeof to === 'number' ? String(to).split(/[\s,;]+/) : []).map((n) => n.trim()).filter(Boolean);
  if (!list.length) throw new SmsError('SMS_FIELD', 'to: give at least one phone number (msg.to: a number, a comma list or an array)', 'to');
  for (const n of list) {
    if (!fits(n)) throw new SmsError('SMS_FIELD', `to: "${n}" is not a phone number of at most ${maxLength} digits (optionally starting with +)`, 'to');
  }
  return list;
}
