/**
 * What the editor's "SMS" sidebar shows, gathered from every connection,
 * modem and account in this runtime: each one's state, queue and counts
 * since start, and the last messages with their state as it changes
 * (accepted, sent, delivered or failed, with the carrier's word). Bounded in
 * memory; pushed over the editor's own comms at most four times a second.
 * Phone numbers and texts are shown cut short unless the config node lets
 * its sidebar show them in full.
 */
import { textOf } from '../src/text-of';
import { isoNow } from '../src/clock';
import { NodeAPI } from './red';

export const TOPIC = 'smsflow/activity';
const MAX_MESSAGES = 50;
const MAX_IDS = 5000;
const PUBLISH_EVERY_MS = 250;
/** characters of a text the sidebar shows when the connection keeps texts private */
const EXCERPT = 20;

export type ChannelKind = 'cmpp' | 'smpp' | 'imsp' | 'modem' | 'route';
export type MessageState = 'accepted' | 'sent' | 'failed' | 'heldBack' | 'delivered' | 'undeliverable';

/** What an sms-policy refuses on purpose: held back, not a failure of the channel. */
const HELD_BACK: ReadonlySet<string> = new Set(['SMS_DUPLICATE', 'SMS_RATE_LIMITED', 'SMS_QUIET_HOURS', 'SMS_OPTED_OUT']);

export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  state: string;
  queue: number;
  counts: { sent: number; failed: number; delivered: number; undelivered: number; pendingReports: number };
  /** a route: each rule, the channel in use and each channel's state and counts */
  rules?: unknown[];
  /** the last hour minute by minute, oldest first: [sent, delivered, failed] */
  chart: Array<[number, number, number]>;
}

export interface MessageView {
  key: number;
  channel: string;
  to: string;
  text: string;
  parts: number;
  state: MessageState;
  /** the carrier's own word: a Result, DELIVRD, an err.code */
  word: string;
  at: string;
}

const MINUTES = 60;

interface Channel extends Omit<ChannelView, 'chart'> {
  details: boolean;
  /** per minute of the last hour (by minute number mod 60): the minute it counts, and [sent, delivered, failed] */
  minutes: Array<{ at: number; counts: [number, number, number] }>;
}

/** Counts one event in the channel's minute now: 0 sent, 1 delivered, 2 failed. */
function tally(c: Channel, which: 0 | 1 | 2): void {
  const minute = Math.floor(Date.now() / 60000);
  const slot = c.minutes[minute % MINUTES];
  if (slot.at !== minute) {
    slot.at = minute;
    slot.counts = [0, 0, 0];
  }
  slot.counts[which]++;
}

/** The last hour, oldest minute first; a minute nothing happened in is zeros. */
function chartOf(c: Channel): Array<[number, number, number]> {
  const now = Math.floor(Date.now() / 60000);
  const out: Array<[number, number, number]> = [];
  for (let m = now - MINUTES + 1; m <= now; m++) {
    const slot = c.minutes[((m % MINUTES) + MINUTES) % MINUTES];
    out.push(slot.at === m ? [...slot.counts] : [0, 0, 0]);
  }
  return out;
}

/** A message followed: what the send node gave, made into its view (numbers and text cut short) only when shown. */
interface Followed extends Omit<MessageView, 'to' | 'text'> {
  to: unknown;
  text: string | Buffer;
}

function mask(value: string, details: boolean): string {
  if (details || value.length <= 4) return value;
  return `${'•'.repeat(Math.min(8, value.length - 3))}${value.slice(-3)}`;
}

function excerpt(text: string, details: boolean): string {
  if (details) return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  // The first twenty characters, enough to tell one alert from another, a surrogate pair counting as one, without spreading the whole text.
  let end = 0;
  for (let n = 0; n < EXCERPT && end < text.length; n++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return end < text.length ? `${text.slice(0, end)}…` : text;
}

class Activity {
  private readonly channels = new Map<string, Channel>();
  /** newest first */
  private readonly messages: Followed[] = [];
  /** carrier id -> message key, to follow a delivery report to its message */
  private readonly byCarrierId = new Map<string, number>();
  /** a parked message's key at its client -> its key here */
  private readonly parkedKeys = new Map<string, number>();
  private nextKey = 1;
  private timer?: NodeJS.Timeout;

  constructor(private readonly RED: NodeAPI) {}

  channel(id: string, kind: ChannelKind, name: string, details: boolean): void {
    const existing = this.channels.get(id);
    const counts = existing?.counts ?? { sent: 0, failed: 0, delivered: 0, undelivered: 0, pendingReports: 0 };
    const minutes = existing?.minutes ?? Array.from({ length: MINUTES }, () => ({ at: -1, counts: [0, 0, 0] as [number, number, number] }));
    this.channels.set(id, { id, kind, name, state: existing?.state ?? 'starting', queue: 0, counts, details, minutes });
    this.publish();
  }

  remove(id: string): void {
    this.channels.delete(id);
    this.publish();
  }

  update(id: string, change: Partial<Pick<ChannelView, 'state' | 'queue' | 'rules'>>): void {
    const c = this.channels.get(id);
    if (!c) return;
    Object.assign(c, change);
    this.publish();
  }

  /** A send node took a msg: returns the message's key. */
  accepted(channelId: string, to: unknown, text: unknown): number {
    const key = this.nextKey++;
    this.messages.unshift({
      key,
      channel: channelId,
      to: Array.isArray(to) ? (to as unknown[]).map(textOf) : to,
      text: Buffer.isBuffer(text) ? text : textOf(text),
      parts: 0,
      state: 'accepted',
      word: '',
      at: isoNow(),
    });
    if (this.messages.length > MAX_MESSAGES) this.messages.length = MAX_MESSAGES;
    this.publish();
    return key;
  }

  /** The message with this key, if it is still among the last ones (newest first, keys one apart). */
  private followed(key: number): Followed | undefined {
    const m = this.messages[this.nextKey - 1 - key];
    return m?.key === key ? m : undefined;
  }

  /** The message waits in the store alone (parked, see the send node): its outcome comes later, carried, under the client's message key. */
  parked(key: number, messageKey: string): void {
    if (!this.followed(key)) return;
    this.parkedKeys.set(messageKey, key);
    // Only those still among the last ones shown are followed.
    if (this.parkedKeys.size > MAX_MESSAGES) this.parkedKeys.delete(this.parkedKeys.keys().next().value as string);
  }

  /** A parked message's outcome: shown as a send's is. */
  parkedOutcome(messageKey: string, channelId: string, result: Parameters<Activity['sent']>[2]): void {
    const key = this.parkedKeys.get(messageKey);
    if (key === undefined) return;
    this.parkedKeys.delete(messageKey);
    this.sent(key, channelId, result);
  }

  /** The carrier answered (or the send failed): its state, its ids for the reports to come. */
  sent(
    key: number,
    channelId: string,
    result: { ok: boolean; parts?: number; results?: Array<{ ok: boolean; id: string; code: number | string; description: string }> } | undefined,
    error?: Error & { code?: string },
    reportAsked = false,
  ): void {
    const m = this.followed(key);
    const c = this.channels.get(channelId);
    const ok = !!result?.ok && !error;
    const refused = result?.results ? result.results.filter((r) => !r.ok).map((r) => String(r.code)) : error?.code ? [error.code] : [];
    if (!ok && refused.length && refused.every((code) => HELD_BACK.has(code)) && !result?.results?.some((r) => r.ok)) {
      // Held back by the policy: the channel neither sent nor failed it.
      if (m) Object.assign(m, { state: 'heldBack', parts: 0, word: refused[0], at: isoNow() });
      this.publish();
      return;
    }
    if (c) {
      if (ok) c.counts.sent++;
      else c.counts.failed++;
      tally(c, ok ? 0 : 2);
      if (ok && reportAsked) c.counts.pendingReports++;
    }
    if (m) {
      m.state = ok ? 'sent' : 'failed';
      m.parts = result?.parts ?? 0;
      const failed = result?.results?.find((r) => !r.ok);
      m.word = ok ? String(result?.results?.[0]?.code ?? '') : String(error?.code ?? failed?.code ?? 'failed');
      m.at = isoNow();
    }
    if (ok && reportAsked) {
      for (const r of result?.results ?? []) if (r.id) this.byCarrierId.set(`${channelId}|${r.id}`, key);
      while (this.byCarrierId.size > MAX_IDS) this.byCarrierId.delete(this.byCarrierId.keys().next().value as string);
    }
    this.publish();
  }

  /** A delivery report: the message's final state, in the carrier's word. */
  report(channelId: string, report: { id: string; status: string; detail: string; matched?: boolean }): void {
    const c = this.channels.get(channelId);
    const delivered = report.status === 'delivered';
    if (c) {
      if (delivered) c.counts.delivered++;
      else if (report.status !== 'pending') c.counts.undelivered++;
      if (delivered) tally(c, 1);
      else if (report.status !== 'pending') tally(c, 2);
      if (report.matched !== false) c.counts.pendingReports = Math.max(0, c.counts.pendingReports - 1);
    }
    const key = this.byCarrierId.get(`${channelId}|${report.id}`);
    const m = key === undefined ? undefined : this.followed(key);
    if (m) {
      m.state = delivered ? 'delivered' : 'undeliverable';
      m.word = report.detail;
      m.at = isoNow();
    }
    this.publish();
  }

  /** Numbers and a text as the sidebar shows them for a channel: cut short unless it allows them in full. */
  shown(channelId: string, numbers: string[], text: string): { to: string[]; text: string } {
    const details = this.channels.get(channelId)?.details ?? false;
    return { to: numbers.map((n) => mask(n, details)), text: excerpt(text, details) };
  }

  snapshot(): { channels: ChannelView[]; messages: MessageView[] } {
    const channels = [...this.channels.values()].map(({ details: _details, minutes: _minutes, ...view }) => ({
      ...view,
      counts: { ...view.counts },
      chart: chartOf(this.channels.get(view.id) as Channel),
    }));
    return { channels, messages: this.messages.map((m) => this.view(m)) };
  }

  private view(m: Followed): MessageView {
    const details = this.channels.get(m.channel)?.details ?? false;
    const numbers = (Array.isArray(m.to) ? (m.to as unknown[]).map(textOf) : textOf(m.to).split(/[\s,;]+/)).filter(Boolean);
    const text = Buffer.isBuffer(m.text) ? `<${m.text.length} octets>` : m.text;
    return { ...m, to: numbers.map((n) => mask(n, details)).join(', '), text: excerpt(text, details) };
  }

  private publish(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.RED.comms?.publish(TOPIC, this.snapshot(), true);
    }, PUBLISH_EVERY_MS);
    this.timer.unref?.();
  }
}

let shared: Activity | undefined;

/** The one activity record of this runtime. */
export function activity(RED: NodeAPI): Activity {
  shared ??= new Activity(RED);
  return shared;
}
