/**
 * A route's settings: rules that match destinations by prefix, each with
 * its channels and how it picks among them, and which outcomes send a
 * message on to the next channel. Checked once, each fault named by its
 * place (rules[1].channels[0].price).
 */
import { SmsError } from '../errors';

export type Strategy = 'failover' | 'roundrobin' | 'leastcost';
export const STRATEGIES: readonly Strategy[] = ['failover', 'roundrobin', 'leastcost'];

export interface RuleChannel {
  /** the channel's id */
  channel: string;
  /** round robin: its share (default 1) */
  weight?: number;
  /** least cost: the price of one SMS part (default 0) */
  price?: number;
}

export interface RouteRule {
  /** destinations it takes, as written (+886, 09, +86, 1); none: any number */
  prefixes: string[];
  strategy: Strategy;
  channels: RuleChannel[];
}

/**
 * Outcomes that mean the message was not sent: the next channel is tried.
 * A refusal any channel would give (a bad number, an empty text, too many
 * parts) is not here: trying elsewhere would only fail again.
 */
export const FAIL_OVER_DEFAULT: readonly string[] = [
  '*_NOT_CONNECTED',
  '*_QUEUE_FULL',
  '*_QUEUE_TIMEOUT',
  '*_CLOSED',
  '*_DISCONNECTED',
  '*_CONNECT_TIMEOUT',
  '*_FLOW_CONTROL',
  'CMPP_AUTH',
  'CMPP_CONNECT_*',
  'SMPP_BIND',
  'MODEM_NOT_READY',
  'MODEM_OPEN',
  'MODEM_QUEUE_TIMEOUT',
  'MODEM_PIN*',
  'MODEM_PUK',
  'IMSP_NETWORK',
  'IMSP_TLS',
  'IMSP_TLS_CERTIFICATE',
  'STORE_WRITE',
  'STORE_UNREACHABLE',
];

/**
 * Outcomes where the carrier may have the message: failing over may send
 * the SMS twice, so they fail over only when the route is told to.
 */
export const MAY_HAVE_BEEN_SENT: readonly string[] = ['*_UNCERTAIN', 'CMPP_TIMEOUT', 'SMPP_TIMEOUT', 'IMSP_TIMEOUT', 'MODEM_TIMEOUT', '*_BAD_ANSWER', 'MODEM_CLOSED', 'IMSP_HTTP', 'IMSP_REPLY'];

/** Codes as patterns: `*` stands for any characters. */
export function codeMatcher(patterns: readonly string[]): (code: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wild = patterns.filter((p) => p.includes('*')).map((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`));
  return (code) => exact.has(code) || wild.some((w) => w.test(code));
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

const PREFIX = /^\+?\d+$/;
const CODE = /^[A-Z0-9_*]+$/;

/** Throws SMS_FIELD naming the first fault of `rules`; `known` is every channel id the route has. */
export function checkRules(rules: unknown, known: ReadonlySet<string>): RouteRule[] {
  if (!Array.isArray(rules) || !rules.length) throw new SmsError('SMS_FIELD', 'rules: a route needs at least one rule (which numbers, which channels)', 'rules');
  return rules.map((rule: Partial<RouteRule>, i) => {
    const at = `rules[${i}]`;
    const prefixes = (rule.prefixes ?? []).map((p) => String(p).trim()).filter(Boolean);
    for (const p of prefixes) if (!PREFIX.test(p)) throw new SmsError('SMS_FIELD', `${at}.prefixes: "${p}" is not a number prefix (digits, optionally starting with +)`, `${at}.prefixes`);
    const strategy = rule.strategy ?? 'failover';
    if (!STRATEGIES.includes(strategy)) throw new SmsError('SMS_FIELD', `${at}.strategy: "${String(strategy)}" is not one of ${STRATEGIES.join(', ')}`, `${at}.strategy`);
    const channels = rule.channels ?? [];
    if (!channels.length) throw new SmsError('SMS_FIELD', `${at}.channels: a rule needs at least one channel`, `${at}.channels`);
    const seen = new Set<string>();
    const checked = channels.map((c, j) => {
      const where = `${at}.channels[${j}]`;
      if (!known.has(c.channel)) throw new SmsError('SMS_FIELD', `${where}.channel: no channel "${c.channel}" in this route (pick a connection, an account or a modem)`, `${where}.channel`);
      if (seen.has(c.channel)) throw new SmsError('SMS_FIELD', `${where}.channel: "${c.channel}" is listed twice in the rule`, `${where}.channel`);
      seen.add(c.channel);
      const weight = c.weight === undefined || (c.weight as unknown) === '' ? 1 : Number(c.weight);
      if (!Number.isInteger(weight) || weight < 1 || weight > 1000) throw new SmsError('SMS_FIELD', `${where}.weight: a whole number from 1 to 1000, got ${String(c.weight)}`, `${where}.weight`);
      const price = c.price === undefined || (c.price as unknown) === '' ? 0 : Number(c.price);
      if (!Number.isFinite(price) || price < 0) throw new SmsError('SMS_FIELD', `${where}.price: a price of 0 or more per SMS part, got ${String(c.price)}`, `${where}.price`);
      return { channel: c.channel, weight, price };
    });
    return { prefixes, strategy, channels: checked };
  });
}

/** Throws SMS_FIELD for a code pattern that is not one. */
export function checkCodes(patterns: unknown, field: string): string[] {
  const list = Array.isArray(patterns) ? patterns.map(String) : typeof patterns === 'string' ? patterns.split(/[\s,]+/) : [];
  const codes = list.map((p) => p.trim()).filter(Boolean);
  for (const c of codes) if (!CODE.test(c)) throw new SmsError('SMS_FIELD', `${field}: "${c}" is not an error code (capitals, digits, _ and * for any)`, field);
  return codes;
}

/** The first rule that takes `to`, by its place in the list. */
export function ruleFor(rules: readonly RouteRule[], to: string): number {
  return rules.findIndex((r) => !r.prefixes.length || r.prefixes.some((p) => to.startsWith(p)));
}
