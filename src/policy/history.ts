/**
 * A message's story as the policy saw it, kept for `sms status` and the
 * sidebar: what was asked, what each recipient became (held, refused,
 * sent with the carrier's ids), and what the carrier reported. The store
 * keeps it as the changes that happened, in order; `statusOf` reads them
 * into one answer. Nothing here is read on a send.
 */
import { randomUUID } from 'node:crypto';
import type { DeliveryStatus } from '../tracking/reports';
import type { PolicyPart } from './policy';

export type Wait = { until: number; reason: 'quiet' | 'limit' };

export type HistoryChange =
  /** the policy took the message: its recipients, text and tag; who waits and until when */
  | { kind: 'accepted'; at: number; via: string; channel: string; to: string[]; text: string; tag?: unknown; waiting: Record<string, Wait> }
  /** outcomes of some recipients (refused, or sent with their parts' ids); `waiting`: who still waits */
  | { kind: 'results'; at: number; results: PolicyPart[]; waiting?: Record<string, Wait> }
  /** the carrier's report for one recipient */
  | { kind: 'report'; at: number; to: string; id: string; status: DeliveryStatus; detail: string; parts?: { total: number; delivered: number; failed: number } };

export interface HistoryEntry {
  key: string;
  changes: HistoryChange[];
}

/** What a store is asked for: a message's key, a carrier's id of one of its parts, or the tag it was sent with. */
export interface HistoryQuery {
  key?: string;
  id?: string;
  tag?: unknown;
}

export type RecipientState = 'sending' | 'held' | 'sent' | 'failed' | 'suppressed' | 'refused' | DeliveryStatus;

export interface RecipientStatus {
  to: string;
  state: RecipientState;
  /** why it was refused or failed: the code and what to change */
  code?: string | number;
  description?: string;
  /** waits now (or waited) for quiet hours or the limit, until when */
  held?: { reason: 'quiet' | 'limit'; until: string };
  sentAt?: string;
  parts: Array<{ part: number; ok: boolean; id: string; code: string | number; description?: string }>;
  report?: { status: DeliveryStatus; detail: string; at: string; parts?: { total: number; delivered: number; failed: number } };
}

export interface MessageStatus {
  key: string;
  channel: string;
  /** the connection or route it went by */
  via: string;
  to: string[];
  text: string;
  /** the msg.correlation it was sent with */
  correlation?: unknown;
  /** the recipients' state when they share one, else "mixed" */
  state: RecipientState | 'mixed';
  acceptedAt: string;
  updatedAt: string;
  recipients: RecipientStatus[];
}

/** The tag as the stores index it: JSON with its keys sorted, so that equal objects are one tag. */
export function tagKey(tag: unknown): string | undefined {
  if (tag === undefined || tag === null) return undefined;
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object' && !Buffer.isBuffer(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sorted(tag));
}

/** the carrier ids a change brings (those a report or a lookup finds its message by) */
export function idsOf(change: HistoryChange): string[] {
  return change.kind === 'results' ? change.results.map((r) => r.id).filter(Boolean) : [];
}

/** what is searched in the sidebar: the numbers, the ids, the text */
export function searchable(entry: HistoryEntry): string {
  const words: string[] = [entry.key];
  for (const c of entry.changes) {
    if (c.kind === 'accepted') words.push(...c.to, c.text);
    else words.push(...idsOf(c));
  }
  return words.join('\n').toLowerCase();
}

const SUPPRESSED = new Set(['SMS_DUPLICATE']);
const REFUSED = new Set(['SMS_OPTED_OUT', 'SMS_RATE_LIMITED', 'SMS_QUIET_HOURS']);
const iso = (t: number): string => new Date(t).toISOString();

/** One answer from a message's changes. */
export function statusOf(entry: HistoryEntry): MessageStatus | undefined {
  const accepted = entry.changes.find((c) => c.kind === 'accepted');
  if (!accepted) return undefined;
  const recipients = new Map<string, RecipientStatus>(accepted.to.map((to) => [to, { to, state: 'sending', parts: [] }]));
  const wait = (waiting: Record<string, Wait>): void => {
    for (const [to, w] of Object.entries(waiting)) {
      const r = recipients.get(to);
      if (r) Object.assign(r, { state: 'held', held: { reason: w.reason, until: iso(w.until) } });
    }
  };
  wait(accepted.waiting);
  let updatedAt = accepted.at;
  for (const c of entry.changes) {
    updatedAt = Math.max(updatedAt, c.at);
    if (c.kind === 'results') {
      for (const part of c.results) {
        const r = recipients.get(part.to);
        if (!r) continue;
        r.parts.push({ part: part.part, ok: part.ok, id: part.id, code: part.code, description: part.description });
        if (part.held) r.held = part.held;
        if (part.ok) r.sentAt ??= iso(c.at);
        const code = String(part.code);
        r.state = r.parts.every((p) => p.ok) ? 'sent' : SUPPRESSED.has(code) ? 'suppressed' : REFUSED.has(code) ? 'refused' : 'failed';
        if (!part.ok) [r.code, r.description] = [part.code, part.description];
      }
      if (c.waiting) wait(c.waiting);
    } else if (c.kind === 'report') {
      const r = recipients.get(c.to) ?? [...recipients.values()].find((x) => x.parts.some((p) => p.id === c.id));
      if (!r) continue;
      r.report = { status: c.status, detail: c.detail, at: iso(c.at), parts: c.parts };
      r.state = c.status;
    }
  }
  const all = [...recipients.values()];
  const states = new Set(all.map((r) => r.state));
  return {
    key: entry.key,
    channel: accepted.channel,
    via: accepted.via,
    to: accepted.to,
    text: accepted.text,
    correlation: accepted.tag,
    state: states.size === 1 ? all[0].state : 'mixed',
    acceptedAt: iso(accepted.at),
    updatedAt: iso(updatedAt),
    recipients: all,
  };
}

/** How long history is kept, and how many messages at most (the oldest go first). */
export interface HistoryLimits {
  keepMs: number;
  max: number;
}

export const DEFAULT_HISTORY: HistoryLimits = { keepMs: 7 * 24 * 3600e3, max: 100_000 };

let lastTime = -1;
let sequence = 0;

/**
 * A message's key: a UUID laid out as version 7, its first 48 bits the time
 * in ms, then a count within the millisecond (12 bits), then random bits.
 * Keys made here sort by time, and in the order they were made within one
 * millisecond: a store keeps its history in that order and finds a key's
 * changes from its time on.
 */
export function messageKey(at: number): string {
  const time = Math.max(0, Math.floor(at));
  if (time === lastTime && sequence < 0xfff) sequence++;
  else [lastTime, sequence] = [time, 0];
  const hex = time.toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7${sequence.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}

/** The time a key was made at (ms), from its first 48 bits. */
export function keyTime(key: string): number {
  return parseInt(key.slice(0, 8) + key.slice(9, 13), 16);
}
