/**
 * One send over many channels: each recipient goes by the first rule that
 * takes its number, to the channel the rule's strategy picks among those
 * that can take it now; an outcome that means "not sent" moves it on to the
 * next channel, one that may have reached the carrier never does (unless
 * the route is told to). A channel that goes down gives back what waits
 * unsent in it at once; one that failed is used again a set time after it
 * is back. Each message ends with one result that names the channel that
 * carried it and every try.
 */
import { EventEmitter } from 'node:events';
import { SmsError } from '../errors';
import { parseRecipients } from '../recipients';
import { PartResult, SendResult } from '../results';
import { DEFAULT_MAX_PARTS, refuseEmpty } from '../limits';
import type { Encoding } from '../text/codecs';
import { ChannelKind, RouteChannel, RouteRequest } from './channel';
import { LocalRouteState, RouteState } from './state';
import { checkCodes, checkRules, codeMatcher, FAIL_OVER_DEFAULT, MAY_HAVE_BEEN_SENT, RouteRule, ruleFor } from './rules';

export interface RouterOptions {
  /** the route's id: it marks the messages it sends, for their reports and a restart */
  id: string;
  rules: unknown;
  /** outcomes that move a message on (default FAIL_OVER_DEFAULT); `*` stands for any characters */
  failOverOn?: unknown;
  /** also move on when the carrier may have the message (*_UNCERTAIN, timeouts): the SMS may arrive twice */
  failOverUncertain?: boolean;
  /** a channel that failed is used again this long after it is back (default 60 s) */
  revertMs?: number;
  /** where failures and the round robin's turn are kept (default: this instance's memory; RedisRouteState for several) */
  state?: RouteState;
  now?: () => number;
}

export interface RouteSend {
  to: string | string[];
  payload: string | Buffer;
  encoding?: Encoding | 'auto';
  report?: boolean;
  correlation?: unknown;
  /** SMS a message may cost per recipient (default 10; 0: no limit) */
  maxParts?: number;
  origin?: string;
}

/** One channel tried for some recipients, and its outcome (0: sent). */
export interface RouteTry {
  channel: string;
  id: string;
  to: string[];
  code: number | string;
}

export interface RoutedPart extends PartResult {
  /** the channel that gave this result ('' when none took the number) */
  via: string;
  /** its kind: names a carrier's numeric code (CMPP_13) */
  kind: ChannelKind | '';
}

export interface RouteResult extends SendResult<'route', RoutedPart> {
  /** the channel (or channels, comma separated) that carried the message */
  via: string;
  tries: RouteTry[];
}

/** What the route writes into the correlation a channel keeps: enough to go on after a restart. */
export interface RouteMark {
  id: string;
  rule: number;
  tries: RouteTry[];
  text: string;
  binary: boolean;
  encoding: Encoding | 'auto';
  report: boolean;
  maxParts: number;
}

export interface ChannelView {
  id: string;
  name: string;
  kind: string;
  state: 'up' | 'standby' | 'down';
  sent: number;
  failed: number;
  movedOn: number;
}

export interface RuleView {
  prefixes: string[];
  strategy: string;
  /** the channel a message would go to now */
  inUse?: string;
  channels: ChannelView[];
}

interface Health {
  up: boolean;
  upSince: number;
  sent: number;
  failed: number;
  movedOn: number;
}

/** A message on its way through the rule's channels: what every channel is asked, but the recipients of each try. */
type Message = Omit<RouteRequest, 'to'>;

const DEFAULT_REVERT_MS = 60000;

interface Delivered {
  results: RoutedPart[];
  tries: RouteTry[];
  encoding?: Encoding;
}

export declare interface Router {
  on(event: 'change', listener: () => void): this;
}

export class Router extends EventEmitter {
  readonly id: string;
  readonly rules: RouteRule[];
  private readonly channels = new Map<string, RouteChannel>();
  private readonly health = new Map<string, Health>();
  readonly state: RouteState;
  /** round robin: the order of one cycle, per set of channels up and their weights */
  private readonly cycles = new Map<string, string[]>();
  /** Whether an outcome with `code` moves a message on to the next channel. */
  readonly failsOver: (code: string) => boolean;
  private readonly revertMs: number;
  private readonly now: () => number;
  private readonly unwatch: Array<() => void> = [];

  constructor(channels: RouteChannel[], options: RouterOptions) {
    super();
    this.id = options.id;
    for (const c of channels) this.channels.set(c.id, c);
    this.rules = checkRules(options.rules, new Set(this.channels.keys()));
    const listed = options.failOverOn === undefined ? [...FAIL_OVER_DEFAULT] : checkCodes(options.failOverOn, 'failOverOn');
    const notSent = codeMatcher(listed);
    const maybeSent = codeMatcher(MAY_HAVE_BEEN_SENT);
    const uncertainToo = options.failOverUncertain === true;
    this.failsOver = (code) => (maybeSent(code) ? uncertainToo : notSent(code));
    this.revertMs = options.revertMs ?? DEFAULT_REVERT_MS;
    this.now = options.now ?? Date.now;
    this.state = options.state ?? new LocalRouteState();
    for (const c of channels) {
      this.health.set(c.id, { up: c.canSend, upSince: this.now(), sent: 0, failed: 0, movedOn: 0 });
      this.unwatch.push(c.watch(() => this.stateChanged(c)));
    }
  }

  /** Sends one message: each recipient by its rule; resolves with one result for all. */
  async send(request: RouteSend): Promise<RouteResult> {
    const recipients = parseRecipients(request.to, 32);
    refuseEmpty(request.payload, request.encoding);
    const message: Message = {
      payload: request.payload,
      encoding: request.encoding ?? 'auto',
      report: request.report === true,
      correlation: request.correlation,
      maxParts: request.maxParts ?? DEFAULT_MAX_PARTS,
      origin: request.origin,
    };
    const groups = new Map<number, string[]>();
    const unrouted: RoutedPart[] = [];
    for (const to of recipients) {
      const rule = ruleFor(this.rules, to);
      if (rule < 0)
        unrouted.push({ to, part: 1, ok: false, id: '', code: 'SMS_NO_ROUTE', description: `no rule of the route takes ${to}: add a rule with its prefix, or one for any number`, via: '', kind: '' });
      else groups.set(rule, [...(groups.get(rule) ?? []), to]);
    }
    const sent = await Promise.all([...groups].map(([rule, to]) => this.deliver(rule, to, message, [])));
    return this.merge(recipients, sent, unrouted);
  }

  /**
   * A message a channel carried over a restart, with its outcome there: the
   * route goes on with the recipients that were not sent, and resolves with
   * the whole outcome. Undefined when the message is not this route's.
   */
  resume(channelId: string, carried: { correlation?: unknown; result: SendResult }): Promise<RouteResult> | undefined {
    const mark = markOf(carried.correlation);
    const channel = this.channels.get(channelId);
    if (!mark || mark.id !== this.id || !channel || !this.rules[mark.rule]) return undefined;
    const message: Message = {
      payload: mark.binary ? Buffer.from(mark.text, 'hex') : mark.text,
      encoding: mark.encoding,
      report: mark.report,
      correlation: withoutMark(carried.correlation),
      maxParts: mark.maxParts,
      origin: (carried as { origin?: string }).origin,
    };
    const to = carried.result.to;
    return this.deliver(mark.rule, to, message, mark.tries, { channel, result: carried.result }).then((sent) => this.merge(to, [sent], []));
  }

  /** Each rule, its channels and their state now, for the sidebar. */
  view(): RuleView[] {
    const now = this.now();
    return this.rules.map((rule, index) => {
      const channels = rule.channels.map(({ channel }) => {
        const c = this.channels.get(channel) as RouteChannel;
        const h = this.health.get(channel) as Health;
        const rank = this.rank(c, now);
        const state: ChannelView['state'] = rank === 0 ? 'up' : rank === 1 ? 'standby' : 'down';
        return { id: c.id, name: c.name, kind: c.kind, state, sent: h.sent, failed: h.failed, movedOn: h.movedOn };
      });
      const first = this.order(index, new Set(), '', 'auto')[0];
      return { prefixes: rule.prefixes, strategy: rule.strategy, inUse: first?.name, channels };
    });
  }

  /** Stops following the channels; the state is the caller's to close. */
  close(): void {
    for (const stop of this.unwatch.splice(0)) stop();
  }

  /** Tries the rule's channels in turn for `to` until each recipient has an outcome that does not move on. */
  private async deliver(ruleIndex: number, to: string[], message: Message, earlier: RouteTry[], first?: { channel: RouteChannel; result: SendResult }): Promise<Delivered> {
    const tries = [...earlier];
    const tried = new Set(tries.map((t) => t.id));
    const done: RoutedPart[] = [];
    let pending = to;
    let last = new Map<string, RoutedPart[]>();
    let carried = first;
    let encoding: Encoding | undefined;
    while (pending.length) {
      let channel: RouteChannel;
      let result: SendResult;
      if (carried) {
        ({ channel, result } = carried);
        carried = undefined;
      } else {
        const turn = tries.length === 0 && this.rules[ruleIndex].strategy === 'roundrobin' ? await this.state.turn(ruleIndex) : undefined;
        const next = this.order(ruleIndex, tried, message.payload, message.encoding, turn)[0];
        if (!next) break;
        channel = next;
        result = await this.tryOn(channel, ruleIndex, pending, message, tries);
      }
      tried.add(channel.id);
      const again: string[] = [];
      last = new Map();
      let code: number | string = 0;
      for (const recipient of pending) {
        const own = result.results.filter((r) => r.to === recipient).map((r) => ({ ...r, via: channel.name, kind: channel.kind }));
        const failure = own.some((r) => r.ok) ? undefined : own.find((r) => !r.ok);
        const failCode = failure ? codeName(channel.kind, failure.code) : undefined;
        if (failCode !== undefined && code === 0) code = failCode;
        if (failCode !== undefined && this.failsOver(failCode)) {
          again.push(recipient);
          last.set(recipient, own);
        } else
          done.push(
            ...(own.length
              ? own
              : [{ to: recipient, part: 1, ok: false, id: '', code: 'SMS_NOT_SENT' as const, description: `${channel.name} gave no result for ${recipient}`, via: channel.name, kind: channel.kind }]),
          );
      }
      tries.push({ channel: channel.name, id: channel.id, to: pending, code });
      if (result.results.some((r) => r.ok)) encoding ??= result.encoding;
      this.count(channel, pending, again, (recipient) => result.results.some((r) => r.to === recipient && r.ok));
      pending = again;
    }
    // Every channel tried: the last one's outcome stands.
    for (const recipient of pending) done.push(...(last.get(recipient) ?? []));
    return { results: done, tries, encoding };
  }

  /** One try on one channel; a refusal before sending becomes a result like any other. */
  private async tryOn(channel: RouteChannel, rule: number, to: string[], message: Message, tries: RouteTry[]): Promise<SendResult> {
    const mark: RouteMark = {
      id: this.id,
      rule,
      tries,
      text: Buffer.isBuffer(message.payload) ? message.payload.toString('hex') : message.payload,
      binary: Buffer.isBuffer(message.payload),
      encoding: message.encoding,
      report: message.report,
      maxParts: message.maxParts,
    };
    const request: RouteRequest = {
      to,
      payload: message.payload,
      encoding: message.encoding,
      report: message.report,
      correlation: withMark(message.correlation, mark),
      maxParts: message.maxParts,
      origin: message.origin,
    };
    try {
      return await channel.send(request);
    } catch (err) {
      const e = err as SmsError;
      return {
        channel: channel.kind,
        ok: false,
        to,
        encoding: 'gsm7',
        parts: 1,
        results: to.map((r) => ({ to: r, part: 1, ok: false, id: '', code: e.code ?? ('SMS_NOT_SENT' as const), description: e.message })),
      };
    }
  }

  /** The rule's untried channels, best first: those up, then those back but waiting out the revert time, then those down. */
  private order(ruleIndex: number, tried: ReadonlySet<string>, payload: string | Buffer, encoding: Encoding | 'auto', turn?: number): RouteChannel[] {
    const rule = this.rules[ruleIndex];
    const now = this.now();
    const entries = rule.channels.filter((c) => !tried.has(c.channel)).map((c, index) => ({ c, index, channel: this.channels.get(c.channel) as RouteChannel }));
    const ranked = entries.map((e) => ({ ...e, rank: this.rank(e.channel, now), cost: 0, turn: 0 }));
    if (rule.strategy === 'leastcost') {
      for (const e of ranked) e.cost = (e.c.price ?? 0) * (payload === '' ? 1 : e.channel.parts(payload, encoding));
    }
    if (turn !== undefined) {
      const cycle = this.cycle(ranked.filter((e) => e.rank === 0).map((e) => ({ id: e.channel.id, weight: e.c.weight ?? 1 })));
      const pick = cycle.length ? cycle[turn % cycle.length] : undefined;
      for (const e of ranked) if (e.channel.id === pick) e.turn = -1;
    }
    ranked.sort((a, b) => a.rank - b.rank || a.turn - b.turn || a.cost - b.cost || a.index - b.index);
    return ranked.map((e) => e.channel);
  }

  /** 0: can send and has not failed within the revert time; 1: can send, but failed or came back lately; 2: cannot send now. */
  private rank(channel: RouteChannel, now: number): number {
    if (!channel.canSend) return 2;
    const failedAt = this.state.failedAt(channel.id);
    if (failedAt === undefined) return 0;
    const h = this.health.get(channel.id) as Health;
    return now - Math.max(failedAt, h.upSince) >= this.revertMs ? 0 : 1;
  }

  /**
   * One cycle of smooth weighted round robin over `up`: each channel as often
   * as its weight, spread out (3:1 gives A A B A, not A A A B). A turn number
   * picks its place, so instances that share the turns share the cycle.
   */
  private cycle(up: Array<{ id: string; weight: number }>): string[] {
    const key = up.map((u) => `${u.id}*${u.weight}`).join(',');
    let cycle = this.cycles.get(key);
    if (cycle) return cycle;
    cycle = [];
    const current = up.map(() => 0);
    const total = up.reduce((n, u) => n + u.weight, 0);
    for (let step = 0; step < total; step++) {
      let best = 0;
      for (let i = 0; i < up.length; i++) {
        current[i] += up[i].weight;
        if (current[i] > current[best]) best = i;
      }
      current[best] -= total;
      cycle.push(up[best].id);
    }
    this.cycles.set(key, cycle);
    return cycle;
  }

  /** A try's outcome in the channel's counts: recipients sent, failed there for good, or moved on. */
  private count(channel: RouteChannel, tried: string[], movedOn: string[], ok: (to: string) => boolean): void {
    const h = this.health.get(channel.id) as Health;
    if (movedOn.length) {
      h.movedOn += movedOn.length;
      this.state.failed(channel.id, this.now());
    }
    for (const to of tried) {
      if (movedOn.includes(to)) continue;
      if (ok(to)) h.sent++;
      else h.failed++;
    }
    this.emit('change');
  }

  private stateChanged(channel: RouteChannel): void {
    const h = this.health.get(channel.id) as Health;
    const up = channel.canSend;
    if (up === h.up) return;
    h.up = up;
    if (up) {
      h.upSince = this.now();
      // What waits in a channel that is down goes to the one now up.
      for (const other of this.channels.values()) if (!other.canSend) other.withdrawUnsent();
    } else {
      this.state.failed(channel.id, this.now());
      channel.withdrawUnsent();
    }
    this.emit('change');
  }

  private merge(recipients: string[], sent: Delivered[], unrouted: RoutedPart[]): RouteResult {
    const results = [...sent.flatMap((s) => s.results), ...unrouted].sort((a, b) => recipients.indexOf(a.to) - recipients.indexOf(b.to) || a.part - b.part);
    const carriers = [...new Set(results.filter((r) => r.ok).map((r) => r.via))];
    const parts = results.reduce((n, r) => Math.max(n, r.part), 1);
    return {
      channel: 'route',
      ok: results.length > 0 && results.every((r) => r.ok),
      to: recipients,
      encoding: sent.find((s) => s.encoding)?.encoding ?? 'gsm7',
      parts,
      results,
      via: carriers.join(', '),
      tries: sent.flatMap((s) => s.tries),
    };
  }
}

/** A code as a flow sees it: a carrier's number with its channel's name (CMPP_13). */
function codeName(kind: string, code: number | string): string {
  return typeof code === 'number' ? `${kind.toUpperCase()}_${code}` : code;
}

function withMark(correlation: unknown, mark: RouteMark): unknown {
  const base = correlation !== null && typeof correlation === 'object' && !Array.isArray(correlation) ? correlation : { value: correlation };
  return { ...base, route: mark };
}

/** The route's mark on a correlation a channel kept, if it has one. */
export function markOf(correlation: unknown): RouteMark | undefined {
  const mark = (correlation as { route?: RouteMark } | null | undefined)?.route;
  return mark && typeof mark === 'object' && typeof mark.id === 'string' ? mark : undefined;
}

/** The correlation as the sender gave it, without the route's mark. */
export function withoutMark(correlation: unknown): unknown {
  if (!markOf(correlation)) return correlation;
  const rest = { ...(correlation as Record<string, unknown>) };
  delete rest.route;
  return rest;
}
