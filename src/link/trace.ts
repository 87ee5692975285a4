/**
 * One line per message in or out, for a user bringing up a link with a
 * carrier: the command, the sequence number and the fields, with secrets
 * (authenticators, passwords) masked and long octet strings cut short.
 */
import { Body } from '../wire/fields';

const SECRET = /authenticator|password|secret/i;

function show(key: string, value: unknown): string {
  if (SECRET.test(key)) return '***';
  if (Buffer.isBuffer(value)) return value.length > 32 ? `${value.subarray(0, 32).toString('hex')}…(${value.length})` : value.toString('hex');
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function traceLine(direction: 'in' | 'out', protocol: string, command: string, sequenceId: number, body: Body): string {
  const fields = Object.entries(body)
    .map(([k, v]) => `${k}=${show(k, v)}`)
    .join(' ');
  return `${direction === 'in' ? '<-' : '->'} ${protocol}_${command} #${sequenceId}${fields ? ` ${fields}` : ''}`;
}
