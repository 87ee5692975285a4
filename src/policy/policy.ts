/**
 * What stands between a flow and every channel: a message to a number that
 * opted out is never sent; the same text to the same number within a
 * window is sent once; at most so many SMS go to one number per window;
 * non-urgent messages wait for the end of quiet hours. Every message ends
 * with one result: what was sent, and for each recipient refused or held,
 * its code and what to change. Messages held survive a restart in the
 * store and go when they may, by the connection or route they came to.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { invalid, SmsError } from '../errors';
import { RecentMap } from '../bounded';
import { duration } from '../limits';
import { PartResult, SendResult, inOrder } from '../results';
import { parseRecipients } from '../recipients';
import { codeMatcher, MAY_HAVE_BEEN_SENT } from '../route/rules';
import { jsonSafe } from '../store/json';
import type { Encoding } from '../text/codecs';
import { segment } from '../text/segmenter';
import type { Target } from '../text/targets';
import type { DeliveryReport } from '../tracking/reports';
import { DEFAULT_HISTORY, HistoryChange, HistoryQuery, messageKey, MessageStatus, statusOf } from './history';
import { keywordList, keywordMeaning, START_WORDS, STOP_WORDS } from './keywords';
import { QuietHours, QuietWindow } from './quiet';
import { Admission, HeldRecord, MemoryPolicyStore, OptOutEntry, PolicyCounter, PolicyStore } from './store';

export interface PolicyOptions {
  /** at most `count` per number per `windowMs`, in messages or in SMS (`parts`); over it refused (SMS_RATE_LIMITED) or held until it may go */
  limit?: { count: number; windowMs: number; unit?: 'messages' | 'parts'; over?: 'refuse' | 'hold' };
  /** the same text to the same number within this time is not sent again (SMS_DUPLICATE); 0: off */
  duplicateWindowMs?: number;
  /** non-urgent messages wait for the window's end (or are refused: SMS_QUIET_HOURS) */
  quietHours?: QuietHours & { during?: 'hold' | 'refuse' };
  /** the words from phones that opt a number out and in, and the replies that confirm it (blank: none) */
  keywords?: { enabled?: boolean; stop?: string[] | string; start?: string[] | string; stopReply?: string; startReply?: string };
  /**
   * the home country's calling code (886, 86, 1): numbers written nationally are read as its numbers,
   * and every number is compared in full international form; none: by the last 9 digits (see numberKey)
   */
  country?: string;
  /** msg.priority "urgent" passes the limit and quiet hours (never the opt-out list or duplicates); default true */
  urgentPasses?: boolean;
  /** each message's story for `status` and `search`: kept this long (default 7 days) and this many at most (default 100,000); false: none */
  history?: { keepMs?: number; max?: number } | false;
  store?: PolicyStore;
  now?: () => number;
}

/** What a send asks of the policy: the recipients and the text; the rest goes to the channel as it is. */
export interface PolicyRequest {
  to: string | string[];
  payload: string | Buffer;
  encoding?: Encoding | 'auto';
  /** "urgent" passes the limit and quiet hours when the policy lets it */
  priority?: unknown;
  correlation?: unknown;
  /** what `status` finds the message by besides its key and ids (a node gives its msg.correlation) */
  tag?: unknown;
  origin?: string;
  [field: string]: unknown;
}

/** A connection or a route as the policy sees it. */
export interface PolicySender {
  /** the result's channel (cmpp, smpp, imsp, modem, route) */
  channel: string;
  send(request: PolicyRequest): Promise<SendResult>;
  /** SMS the text takes per recipient here, and its encoding */
  measure(payload: string | Buffer, encoding: Encoding | 'auto'): { parts: number; encoding: Encoding };
}

export interface PolicyPart extends PartResult {
  /** SMS_RATE_LIMITED: when the next may go (ISO) */
  nextAt?: string;
  /** SMS_DUPLICATE: the message sent before, and when */
  duplicateOf?: { key: string; at: string };
  /** a recipient that was held: why, and until when */
  held?: { reason: 'quiet' | 'limit'; until: string };
}

export interface PolicyResult extends SendResult<string, PolicyPart> {
  /** the policy's key for the message (SMS_DUPLICATE names it) */
  key: string;
}

export interface CarriedHeld {
  origin?: string;
  correlation?: unknown;
  result: PolicyResult;
}

/**
 * A number as the policy compares numbers. Given the home country's calling
 * code, its international form without the +: +886912345678, 00886912345678,
 * 886912345678 and 0912345678 (the national form, its trunk 0 dropped) are
 * one number, and no other number is that one. Without it, its last 9
 * digits, so that one phone written with its country code or without is
 * still one number (8613800138000 and 13800138000), at the price that two
 * numbers of different countries ending alike are one too. Short codes are
 * compared whole either way.
 */
export function numberKey(to: string, country?: string): string {
  const digits = to.replace(/\D/g, '');
  if (digits.length <= SHORT_CODE_DIGITS) return digits;
  if (!country) return digits.length > KEY_DIGITS ? digits.slice(-KEY_DIGITS) : digits;
  if (to.trim().startsWith('+')) return digits;
  if (digits.startsWith('00')) return digits.slice(2);
  if (digits.startsWith('0')) return country + digits.slice(1);
  // Written with the home country's code but no +, or nationally without a trunk prefix (a mobile in China).
  return digits.startsWith(country) && digits.length - country.length >= MIN_NATIONAL_DIGITS ? digits : country + digits;
}
/** a national number at least this long follows the country code when it is written with one (65123456 in Singapore is national) */
const MIN_NATIONAL_DIGITS = 7;
const KEY_DIGITS = 9;
/** numbers this long or shorter are short codes (10086, 1922): compared as they are */
const SHORT_CODE_DIGITS = 6;

/** The text as a duplicate is found: trimmed, its runs of white space one space. */
function foldedText(payload: string | Buffer): string {
  return Buffer.isBuffer(payload) ? `\u0000${payload.toString('base64')}` : payload.trim().replace(/\s+/g, ' ');
}

/** The one-shot hash where Node has it (20.12+, no Hash object per message), else a Hash. */
const sha1: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string, encoding: 'base64url'): string }).hash('sha1', text, 'base64url')
    : (text) => createHash('sha1').update(text).digest('base64url');

function hashOf(number: string, payload: string | Buffer): string {
  return sha1(`${number}\n${foldedText(payload)}`);
}

const mayHaveBeenSent = codeMatcher(MAY_HAVE_BEEN_SENT);

/** Whether a send asked for a delivery report (registeredDelivery on CMPP and SMPP, track on IMSP, statusReport on a modem; asked unless said no). */
function reportAsked(request: PolicyRequest): boolean {
  return request.registeredDelivery !== false && request.track !== false && request.statusReport !== false;
}

/** sends whose report is looked for in memory before the store, at most */
const AWAITED_AT_MOST = 50_000;
/** reports kept waiting for the results that bring their id, at most */
const EARLY_AT_MOST = 1000;
/** how long a report no message claims waits for its send's results before the store is asked (ms) */
const EARLY_WAIT_MS = 200;

/** How long a timer waits at most before it looks at the clock again (a clock moved by hand is seen within it). */
const LOOK_AGAIN_MS = 60_000;

/** How long a held message that is due waits for its connection to run again (a deploy, a start) before it ends not sent. */
export const UNATTACHED_GRACE_MS = 60_000;

export declare interface Policy {
  on(event: 'carried', listener: (carried: CarriedHeld) => void): this;
  on(event: 'changed', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export class Policy extends EventEmitter {
  readonly store: PolicyStore;
  private readonly now: () => number;
  private readonly limit?: Required<NonNullable<PolicyOptions['limit']>>;
  private readonly duplicateWindowMs: number;
  private readonly quiet?: QuietWindow;
  private readonly quietDuring: 'hold' | 'refuse';
  private readonly urgentPasses: boolean;
  private readonly country?: string;
  /** false until the opt-outs are keyed as this policy compares numbers (a country set since they were kept) */
  private started = false;
  private readonly historyOn: boolean;
  /**
   * the first part's id of each recipient sent lately (with its number: a modem's ids repeat) -> its message, for its
   * report; an id given again while an earlier message waits under it queues behind it, as the connection matches reports
   */
  private readonly awaited = new RecentMap<Array<{ key: string; to: string; since: number }>>(AWAITED_AT_MOST);
  /** reports whose id no message had yet, by id (the oldest forgotten first) */
  private readonly early = new RecentMap<Pick<DeliveryReport, 'id' | 'to' | 'status' | 'detail' | 'parts'>>(EARLY_AT_MOST);
  /** the ids of early reports in the order they came, to look for in the store once they have waited */
  private readonly unmatched: Array<{ id: string; at: number }> = [];
  private lookTimer?: NodeJS.Timeout;
  private readonly keywords: { enabled: boolean; stop: Set<string>; start: Set<string>; stopReply: string; startReply: string };
  private readonly senders = new Map<string, PolicySender>();
  /** held messages this process knows: their record, and who waits for their result here */
  private readonly holding = new Map<string, { record: HeldRecord; resolve?: (result: PolicyResult) => void }>();
  /** held messages due whose connection is not attached: since when (the policy's clock) */
  private readonly unattached = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(options: PolicyOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    const limit = options.limit;
    if (limit && limit.count) {
      if (!Number.isInteger(limit.count) || limit.count < 0) invalid('limit.count', `a whole number of SMS, 0 for no limit (got ${String(limit.count)})`);
      if (!(limit.windowMs > 0)) invalid('limit.window', 'the limit needs a window longer than 0');
      this.limit = { count: limit.count, windowMs: limit.windowMs, unit: limit.unit === 'parts' ? 'parts' : 'messages', over: limit.over === 'hold' ? 'hold' : 'refuse' };
    }
    this.duplicateWindowMs = Number(options.duplicateWindowMs) || 0;
    if (this.duplicateWindowMs < 0) invalid('duplicateWindow', 'a time of 0 (off) or more');
    if (options.quietHours && (options.quietHours.from || options.quietHours.to)) this.quiet = new QuietWindow(options.quietHours);
    this.quietDuring = options.quietHours?.during === 'refuse' ? 'refuse' : 'hold';
    this.urgentPasses = options.urgentPasses !== false;
    const country = String(options.country ?? '')
      .trim()
      .replace(/^\+/, '');
    if (country && !/^[1-9]\d{0,2}$/.test(country)) invalid('country', `the home country's calling code, 1 to 3 digits (886 for Taiwan, 86 for China), or nothing (got "${String(options.country)}")`);
    this.country = country || undefined;
    const k = options.keywords ?? {};
    this.keywords = {
      enabled: k.enabled !== false,
      stop: new Set(keywordList(k.stop, STOP_WORDS)),
      start: new Set(keywordList(k.start, START_WORDS)),
      stopReply: (k.stopReply ?? '').trim(),
      startReply: (k.startReply ?? '').trim(),
    };
    for (const word of this.keywords.stop) if (this.keywords.start.has(word)) invalid('keywords.start', `"${word}" is both a word to stop and a word to start: keep it in one list`);
    this.store = options.store ?? new MemoryPolicyStore();
    this.historyOn = options.history !== false;
    if (options.history) {
      const keepMs = options.history.keepMs ?? DEFAULT_HISTORY.keepMs;
      const max = options.history.max ?? DEFAULT_HISTORY.max;
      if (!(keepMs > 0)) invalid('history.keep', `a time longer than 0 (got ${String(keepMs)})`);
      if (!Number.isInteger(max) || max < 1) invalid('history.max', `a whole number of messages, 1 or more (got ${String(max)})`);
      this.store.keepHistory({ keepMs, max });
    }
    // Opt-outs a store cannot give now are said (an 'error'); its held messages are still taken up.
    this.ready = this.rekeyOptOuts()
      .catch((err: Error) => void this.emit('error', err))
      .then(() => this.loadHeld())
      .finally(() => (this.started = true));
    this.ready.catch((err: Error) => this.emit('error', err));
  }

  /** A number as this policy compares numbers (see numberKey). */
  private keyOf(to: string): string {
    return numberKey(to, this.country);
  }

  /** Opt-outs kept under another key than this policy gives their number (kept before the home country was set, or changed) are kept again under it. */
  private async rekeyOptOuts(): Promise<void> {
    for (const entry of await this.store.optOuts()) {
      const key = this.keyOf(entry.number);
      if (!key || key === entry.key) continue;
      await this.store.optIn(entry.key);
      this.store.optOut({ ...entry, key });
    }
  }

  /** Lets messages go by `id` (a connection, a route); held ones due for it go now. Returns how to detach. */
  attach(id: string, sender: PolicySender): () => void {
    this.senders.set(id, sender);
    this.wake();
    return () => {
      if (this.senders.get(id) === sender) this.senders.delete(id);
    };
  }

  /** Checks one message and sends what may go now by `via`; resolves with one result once every recipient has its outcome. */
  async send(via: string, request: PolicyRequest): Promise<PolicyResult> {
    const sender = this.senders.get(via);
    if (!sender) throw new SmsError('SMS_NOT_SENT', `nothing sends by "${via}" in this policy`);
    // The opt-outs are taken up before the first check: a shared store answers later than a send may come.
    if (!this.started) await this.ready.catch(() => undefined);
    const to = parseRecipients(request.to, 32);
    const encoding = request.encoding ?? 'auto';
    // Measured only when the limit counts SMS, or when no channel will say (nothing sent now).
    let measuredOnce: { parts: number; encoding: Encoding } | undefined;
    const measured = (): { parts: number; encoding: Encoding } => (measuredOnce ??= sender.measure(request.payload, encoding));
    const at = this.now();
    const key = messageKey(at);
    const urgent = this.urgentPasses && request.priority === 'urgent';
    const weight = this.limit?.unit === 'parts' && Number.isFinite(measured().parts) ? measured().parts : 1;
    const refused: PolicyPart[] = [];
    const sendNow: string[] = [];
    /** the text's hash of each in sendNow, in the same order */
    const sendHashes: Array<string | undefined> = [];
    const waiting: HeldRecord['waiting'] = {};
    for (const n of to) {
      const number = this.keyOf(n);
      const hash = this.duplicateWindowMs ? hashOf(number, request.payload) : undefined;
      const duplicate = hash ? { hash, windowMs: this.duplicateWindowMs, key } : undefined;
      const quietEnd = !urgent && this.quiet ? this.quiet.endsAt(n, at) : undefined;
      if (quietEnd !== undefined && this.quietDuring === 'refuse') {
        const a = await this.store.admit({ number, at, duplicate, record: false });
        if (a.verdict !== 'ok') refused.push(this.refusal(n, a, this.limit));
        else {
          this.store.count('quiet');
          refused.push(quietRefusal(n, quietEnd, this.quiet?.zoneOf(n)));
        }
        continue;
      }
      const limit = urgent || quietEnd !== undefined || !this.limit ? undefined : { count: this.limit.count, windowMs: this.limit.windowMs, weight };
      // A store that answers at once (memory, SQLite) is not awaited: no turn of the loop per recipient.
      const admitted = this.store.admit({ number, at, duplicate, limit, record: true, holdWhenLimited: this.limit?.over === 'hold' });
      const a = admitted instanceof Promise ? await admitted : admitted;
      if (a.verdict === 'ok') {
        if (quietEnd !== undefined) waiting[n] = { until: quietEnd, reason: 'quiet' };
        else {
          sendNow.push(n);
          sendHashes.push(hash);
        }
      } else if (a.verdict === 'limited' && this.limit?.over === 'hold' && Number.isFinite(a.nextAt)) {
        waiting[n] = { until: a.nextAt, reason: 'limit' };
      } else refused.push(this.refusal(n, a, this.limit));
    }
    const heldCount = Object.keys(waiting).length;
    if (this.historyOn) {
      const text = typeof request.payload === 'string' ? request.payload : `(${request.payload.length} octets)`;
      this.note(key, { kind: 'accepted', at, via, channel: sender.channel, to, text, tag: request.tag, waiting }, at);
      if (refused.length) this.note(key, { kind: 'results', at, results: refused }, at);
    }
    const base = (): Omit<PolicyResult, 'ok' | 'results'> => ({ channel: sender.channel, to, encoding: measured().encoding, parts: measured().parts, key });
    if (!sendNow.length && !heldCount) return { ...base(), ok: false, results: inOrder(refused, to) };
    const results: PolicyPart[] = [...refused];
    let held: Promise<PolicyResult> | undefined;
    if (heldCount) {
      const { to: _to, ...rest } = request;
      const record: HeldRecord = { key, via, request: jsonSafe(rest) as Record<string, unknown>, waiting, results: [...refused], heldAt: at };
      for (let i = 0; i < heldCount; i++) this.store.count('held');
      this.store.hold(record);
      held = new Promise((resolve) => this.holding.set(key, { record, resolve }));
      this.arm();
      this.emit('changed');
    }
    if (sendNow.length) {
      const sent = await this.deliver(sender, request, sendNow, sendHashes, key);
      this.note(key, { kind: 'results', at: this.now(), results: sent.results }, at, reportAsked(request));
      const entry = this.holding.get(key);
      if (entry) {
        // Kept with the held record, so that its outcome after a restart is whole.
        entry.record.results.push(...sent.results);
        this.store.hold(entry.record);
      } else results.push(...sent.results);
      if (!held) return { channel: sender.channel, to, key, encoding: sent.encoding, parts: sent.parts, ok: results.every((r) => r.ok), results: refused.length ? inOrder(results, to) : results };
    }
    return held as Promise<PolicyResult>;
  }

  /** Sends to some recipients; a recipient whose every part was refused for sure frees its text for another try. */
  private async deliver(sender: PolicySender, request: PolicyRequest, to: string[], hashes: Array<string | undefined>, key: string): Promise<SendResult> {
    let result: SendResult;
    try {
      // One copy of the request, without what is the policy's own (no client reads a field it does not know).
      result = await sender.send({ ...request, to, priority: undefined, tag: undefined });
    } catch (err) {
      const code = (err as SmsError).code ?? 'SMS_NOT_SENT';
      const measured = sender.measure(request.payload, request.encoding ?? 'auto');
      result = {
        channel: sender.channel,
        ok: false,
        to,
        encoding: measured.encoding,
        parts: measured.parts,
        results: to.map((n) => ({ to: n, part: 1, ok: false, id: '', code, description: (err as Error).message })),
      };
    }
    if (result.ok) return result;
    for (let i = 0; i < to.length; i++) {
      const hash = hashes[i];
      if (!hash) continue;
      const mine = to.length === 1 ? result.results : result.results.filter((r) => r.to === to[i]);
      if (mine.length && mine.every((r) => !r.ok && (typeof r.code === 'number' || !mayHaveBeenSent(String(r.code))))) this.store.forget(hash, key);
    }
    return result;
  }

  private refusal(to: string, a: Admission, limit?: LimitRule): PolicyPart {
    const no = { to, part: 1, ok: false, id: '' };
    switch (a.verdict) {
      case 'optedOut':
        return {
          ...no,
          code: 'SMS_OPTED_OUT',
          description: `not sent: ${to} asked for no more messages (opted out at ${new Date(a.since).toISOString()}); it is sent to again once it opts in (START, or msg.action "optIn")`,
        };
      case 'duplicate':
        return {
          ...no,
          code: 'SMS_DUPLICATE',
          description: `not sent: the same text went to ${to} at ${new Date(a.at).toISOString()} (message ${a.key}), ${a.copies} copy(ies) suppressed since; change the text, or shorten the policy's duplicate window`,
          duplicateOf: { key: a.key, at: new Date(a.at).toISOString() },
        };
      case 'limited': {
        const rule = limit ? `${limit.count} ${limit.unit === 'parts' ? 'SMS' : 'message(s)'} per ${duration(limit.windowMs)}` : 'the limit';
        if (!Number.isFinite(a.nextAt))
          return { ...no, code: 'SMS_RATE_LIMITED', description: `not sent: this message needs more SMS than ${to} may get in the window (${rule}); shorten it or raise the limit` };
        return {
          ...no,
          code: 'SMS_RATE_LIMITED',
          description: `not sent: ${to} has had ${rule}; the next may go at ${new Date(a.nextAt).toISOString()} (or set msg.priority to "urgent", or raise the policy's limit)`,
          nextAt: new Date(a.nextAt).toISOString(),
        };
      }
      default:
        return { ...no, code: 'SMS_NOT_SENT', description: 'not sent' };
    }
  }

  /** A change in the message's history; results sent with a report asked for are awaited here, so that the report finds its message at once. */
  private note(key: string, change: HistoryChange, since: number, awaitReport = false): void {
    if (!this.historyOn) return;
    this.store.note(key, change, since);
    if (change.kind !== 'results') return;
    if (awaitReport) for (const r of change.results) if (r.ok && r.part === 1 && r.id) this.queueForReport(`${r.id}\u0000${numberKey(r.to)}`, { key, to: r.to, since });
    if (!this.early.size) return;
    for (const r of change.results) {
      const report = r.id ? this.early.get(r.id) : undefined;
      if (!report) continue;
      this.early.delete(r.id);
      this.reported(report);
    }
  }

  /**
   * A carrier's report: kept with the message it answers (found by the id of its part and its number).
   * True when this process sent that message lately; else it is looked for in the store a moment later.
   */
  reported(report: Pick<DeliveryReport, 'id' | 'to' | 'status' | 'detail' | 'parts'>): boolean {
    if (!this.historyOn || !report.id) return false;
    const awaitedKey = `${report.id}\u0000${numberKey(report.to)}`;
    const waiting = this.awaited.get(awaitedKey);
    if (waiting) {
      // The oldest under the id, as the connection gave it this report.
      const sent = waiting[0];
      if (report.status !== 'pending') {
        if (waiting.length > 1) waiting.shift();
        else this.awaited.delete(awaitedKey);
      }
      this.keepReport(report, sent.key, sent.to, sent.since);
      return true;
    }
    // Not sent lately by this process as far as it knows yet: a report read in the same chunk as its
    // SUBMIT's answer comes before the send's results are noted, so it waits for them a moment before
    // the store is asked (a message sent before a restart, or long ago). No query on the common path.
    this.early.set(report.id, report);
    this.unmatched.push({ id: report.id, at: Date.now() });
    this.lookLater();
    return false;
  }

  /** A message sent awaits its report under (id, number), behind any earlier one still awaiting under it. */
  private queueForReport(awaitedKey: string, sent: { key: string; to: string; since: number }): void {
    const waiting = this.awaited.get(awaitedKey);
    if (waiting && waiting[waiting.length - 1].key !== sent.key) waiting.push(sent);
    else if (!waiting) this.awaited.set(awaitedKey, [sent]);
  }

  private keepReport(report: Pick<DeliveryReport, 'id' | 'to' | 'status' | 'detail' | 'parts'>, key: string, to: string, since: number): void {
    this.store.note(key, { kind: 'report', at: this.now(), to, id: report.id, status: report.status, detail: report.detail, parts: report.parts }, since);
  }

  private lookLater(): void {
    if (this.lookTimer || this.closed) return;
    this.lookTimer = setTimeout(() => {
      this.lookTimer = undefined;
      this.lookUpUnmatched().catch((err: Error) => this.emit('error', err));
    }, EARLY_WAIT_MS);
    this.lookTimer.unref?.();
  }

  /** The reports that waited their moment and are still unmatched: looked for in the store, once each. */
  private async lookUpUnmatched(): Promise<void> {
    const due = Date.now() - EARLY_WAIT_MS;
    let taken = 0;
    while (taken < this.unmatched.length && this.unmatched[taken].at <= due) taken++;
    const ids = this.unmatched.splice(0, taken);
    if (this.unmatched.length) this.lookLater();
    for (const { id } of ids) {
      const report = this.early.get(id);
      if (!report || this.closed) continue;
      const number = numberKey(report.to);
      // Newest first; an id given again (a modem's reference) finds several: the oldest still waiting for its report takes it.
      let found: { key: string; to: string; since: number } | undefined;
      for (const entry of await this.store.history({ id }, 20)) {
        const accepted = entry.changes.find((c) => c.kind === 'accepted');
        const to = accepted?.to.find((n) => numberKey(n) === number);
        if (!to) continue;
        const reported = entry.changes.some((c) => c.kind === 'report' && c.id === id && c.status !== 'pending' && numberKey(c.to) === number);
        if (!found || !reported) found = { key: entry.key, to, since: accepted!.at };
      }
      if (found) {
        this.early.delete(id);
        this.keepReport(report, found.key, found.to, found.since);
      }
      // Not found: it stays among the early ones (the oldest forgotten first) in case its results come yet.
    }
  }

  /**
   * What became of the messages a key, a carrier's id or a tag (msg.correlation) finds, newest first:
   * accepted, held, refused or sent (per recipient and part, with ids), and what the carrier reported.
   */
  async status(query: HistoryQuery, limit = 20): Promise<MessageStatus[]> {
    const entries = await this.store.history(query, limit);
    return entries.map(statusOf).filter((s): s is MessageStatus => s !== undefined);
  }

  /** The latest messages, newest first; `text`: only those whose numbers, carrier ids or text hold it. */
  async search(text?: string, limit = 20): Promise<MessageStatus[]> {
    const entries = await this.store.recent(limit, text);
    return entries.map(statusOf).filter((s): s is MessageStatus => s !== undefined);
  }

  /** A message from a phone: a stop word opts its sender out, a start word in (with the reply, if one is set). */
  async heard(via: string, sms: { from: string; payload: unknown }): Promise<'stop' | 'start' | undefined> {
    if (!this.keywords.enabled || typeof sms.payload !== 'string' || !sms.from) return undefined;
    const meaning = keywordMeaning(sms.payload, this.keywords.stop, this.keywords.start);
    if (!meaning) return undefined;
    if (meaning === 'stop') this.optOut(sms.from, `keyword ${sms.payload.trim()}`, via);
    else await this.optIn(sms.from);
    const reply = meaning === 'stop' ? this.keywords.stopReply : this.keywords.startReply;
    const sender = this.senders.get(via);
    if (reply && sender) {
      // The confirmation goes even to a number that just opted out: it is the last message it gets.
      sender.send({ to: sms.from, payload: reply, encoding: 'auto' }).catch((err: Error) => this.emit('error', err));
    }
    return meaning;
  }

  optOut(to: string, how = 'flow', via?: string): OptOutEntry {
    const entry: OptOutEntry = { number: to.trim(), key: this.keyOf(to), at: this.now(), how, via };
    if (!entry.key) invalid('to', `"${to}" is not a phone number`);
    this.store.optOut(entry);
    this.emit('changed');
    return entry;
  }

  async optIn(to: string): Promise<boolean> {
    const was = await this.store.optIn(this.keyOf(to));
    this.emit('changed');
    return was;
  }

  async optOuts(): Promise<OptOutEntry[]> {
    return [...(await this.store.optOuts())].sort((a, b) => a.at - b.at);
  }

  /** The opt-out list as CSV: number, when, how, by which connection. */
  async optOutCsv(): Promise<string> {
    const cell = (s: string): string => {
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const rows = (await this.optOuts()).map((e) => [e.number, new Date(e.at).toISOString(), e.how, e.via ?? ''].map(cell).join(','));
    return ['number,opted_out_at,how,via', ...rows].join('\r\n') + '\r\n';
  }

  async counters(): Promise<Record<PolicyCounter, number> & { waiting: number }> {
    return { ...(await this.store.counters()), waiting: this.holding.size };
  }

  /** held messages this process knows */
  get waiting(): number {
    return this.holding.size;
  }

  /** Looks at the held messages against the clock now (a test's clock, or one set by hand). */
  wake(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    let next = Infinity;
    for (const [key, entry] of this.holding) {
      if (!this.senders.has(entry.record.via)) {
        next = Math.min(next, this.waitForSender(key, entry, now));
        continue;
      }
      this.unattached.delete(key);
      const due = Object.entries(entry.record.waiting).filter(([, w]) => w.until <= now);
      if (due.length)
        this.releaseDue(
          key,
          entry,
          due.map(([n]) => n),
        );
      for (const w of Object.values(entry.record.waiting)) if (w.until > now) next = Math.min(next, w.until);
    }
    if (next < Infinity) this.arm(next - now);
  }

  /**
   * A held message whose connection is not attached (removed from the flows, its flow disabled, or not
   * started yet): once it is due it waits UNATTACHED_GRACE_MS for the connection, then ends not sent, each
   * recipient saying why, rather than staying held for ever. Returns when to look at it again.
   */
  private waitForSender(key: string, entry: { record: HeldRecord; resolve?: (result: PolicyResult) => void }, now: number): number {
    const waits = Object.values(entry.record.waiting);
    const firstDue = Math.min(...waits.map((w) => w.until));
    if (firstDue > now) {
      this.unattached.delete(key);
      return firstDue;
    }
    const since = this.unattached.get(key) ?? now;
    this.unattached.set(key, since);
    if (now - since < UNATTACHED_GRACE_MS) return since + UNATTACHED_GRACE_MS;
    this.unattached.delete(key);
    const record = entry.record;
    const results: PolicyPart[] = Object.entries(record.waiting).map(([to, w]) => ({
      to,
      part: 1,
      ok: false,
      id: '',
      code: 'SMS_NOT_SENT',
      description: `not sent: it was held (${w.reason === 'quiet' ? 'quiet hours' : 'the limit'}) for ${record.via}, the connection or route it came to, which has not been running for ${duration(now - since)} since it was due (removed from the flows, or its flow disabled); send it again through one that runs`,
      held: { reason: w.reason, until: new Date(w.until).toISOString() },
    }));
    // Nothing of it is due any more here (a connection attached meanwhile finds nothing to send) until the store has answered.
    const waiting = record.waiting;
    record.waiting = {};
    // Taken from the store first: with a shared store, another instance that runs the connection may have sent it.
    Promise.resolve()
      .then(() => this.store.release(key))
      .then((mine) => {
        this.holding.delete(key);
        this.emit('changed');
        if (!mine) return;
        record.results.push(...results);
        this.note(key, { kind: 'results', at: now, results, waiting: {} }, record.heldAt);
        this.settleHeld(key, entry, 'policy', measureFor('generic', record.request.payload as string | Buffer, (record.request.encoding as Encoding | 'auto' | undefined) ?? 'auto'));
      })
      .catch((err: Error) => {
        // The store could not be asked: it stays held, and is looked at again.
        record.waiting = waiting;
        this.emit('error', err);
        this.arm(LOOK_AGAIN_MS);
      });
    return Infinity;
  }

  /** A held message has every recipient's outcome: to whoever waits for it here, else as carried over. */
  private settleHeld(key: string, entry: { record: HeldRecord; resolve?: (result: PolicyResult) => void }, channel: string, measured: { parts: number; encoding: Encoding }): void {
    const record = entry.record;
    const to = record.results.map((r) => r.to).filter((n, i, all) => all.indexOf(n) === i);
    const result: PolicyResult = {
      channel,
      ok: record.results.every((r) => r.ok),
      to,
      encoding: measured.encoding,
      parts: measured.parts,
      results: inOrder(record.results, to),
      key,
    };
    if (entry.resolve) entry.resolve(result);
    else this.emit('carried', { origin: record.request.origin as string | undefined, correlation: record.request.correlation, result: { ...result, carriedOver: true } });
  }

  private arm(delayMs = 0): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.wake();
      },
      Math.min(Math.max(delayMs, 0), LOOK_AGAIN_MS),
    );
    this.timer.unref?.();
  }

  /** Sends the recipients now due of a held message, after checking them again (an opt-out since, the limit now). */
  private releaseDue(key: string, entry: { record: HeldRecord; resolve?: (result: PolicyResult) => void }, due: string[]): void {
    const record = entry.record;
    const reasons = new Map(due.map((n) => [n, record.waiting[n]]));
    for (const n of due) delete record.waiting[n];
    const sender = this.senders.get(record.via) as PolicySender;
    const request = { ...record.request, to: due } as PolicyRequest;
    const go = async (): Promise<void> => {
      const at = this.now();
      const now: string[] = [];
      const before = record.results.length;
      for (const n of due) {
        const limit =
          this.limit && !(this.urgentPasses && request.priority === 'urgent')
            ? { count: this.limit.count, windowMs: this.limit.windowMs, weight: this.limit.unit === 'parts' ? sender.measure(request.payload, request.encoding ?? 'auto').parts : 1 }
            : undefined;
        const a = await this.store.admit({ number: this.keyOf(n), at, limit, record: true, holdWhenLimited: false });
        if (a.verdict === 'ok') now.push(n);
        else if (a.verdict === 'limited' && this.limit?.over === 'hold' && Number.isFinite(a.nextAt)) record.waiting[n] = { until: a.nextAt, reason: 'limit' };
        else record.results.push(this.refusal(n, a, this.limit));
      }
      if (now.length) {
        const sent = await this.deliver(sender, request, now, [], key);
        for (const r of sent.results as PolicyPart[]) {
          const w = reasons.get(r.to);
          if (w) r.held = { reason: w.reason, until: new Date(w.until).toISOString() };
        }
        record.results.push(...sent.results);
      }
      this.note(key, { kind: 'results', at: this.now(), results: record.results.slice(before), waiting: { ...record.waiting } }, record.heldAt, reportAsked(request));
      if (Object.keys(record.waiting).length) {
        this.store.hold(record);
        this.arm();
        return;
      }
      this.holding.delete(key);
      this.emit('changed');
      this.settleHeld(key, entry, sender.channel, sender.measure(request.payload, request.encoding ?? 'auto'));
    };
    // Taken from the store first: with a shared store, only the instance that takes it sends it.
    Promise.resolve(Object.keys(record.waiting).length ? true : this.store.release(key))
      .then((mine) => (mine ? go() : (this.holding.delete(key), undefined)))
      .catch((err: Error) => this.emit('error', err));
  }

  private async loadHeld(): Promise<void> {
    for (const record of await this.store.held()) {
      if (!this.holding.has(record.key)) this.holding.set(record.key, { record });
    }
    this.arm();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.lookTimer);
    await this.store.close();
  }
}

type LimitRule = { count: number; windowMs: number; unit: 'messages' | 'parts' };

function quietRefusal(to: string, until: number, zone: string | undefined): PolicyPart {
  return {
    to,
    part: 1,
    ok: false,
    id: '',
    code: 'SMS_QUIET_HOURS',
    description: `not sent: it is within quiet hours for ${to}${zone ? ` (${zone})` : ''} until ${new Date(until).toISOString()}; send it later, mark it msg.priority "urgent", or set the policy to hold messages in quiet hours`,
  };
}

/** SMS the text takes per recipient on `target`, and its encoding; a text the channel would refuse counts as one. */
function measureFor(target: Target, payload: string | Buffer, encoding: Encoding | 'auto'): { parts: number; encoding: Encoding } {
  try {
    const s = segment(payload, { target, encoding });
    return { parts: s.count, encoding: s.encoding };
  } catch {
    // The channel refuses it with its own words; the policy counts it as one.
    return { parts: 1, encoding: 'ucs2' };
  }
}

/** A client's send as the policy sees it: `target` says how its texts are counted in SMS. */
export function policySender<R extends PolicyRequest>(channel: string, target: Target, send: (request: R) => Promise<SendResult>): PolicySender {
  return { channel, send, measure: (payload, encoding) => measureFor(target, payload, encoding) };
}
