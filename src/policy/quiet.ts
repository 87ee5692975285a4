/**
 * Quiet hours: a daily window of local time (22:00-07:00 crosses midnight)
 * in a time zone, the recipient's by the prefix of its number or the
 * policy's own. A message given inside the window waits for its end, or is
 * refused.
 */
import { invalid } from '../errors';

export interface QuietHours {
  /** HH:MM, local time */
  from: string;
  to: string;
  /** an IANA time zone (Asia/Taipei); default: the machine's */
  timeZone?: string;
  /** the recipient's time zone by the prefix of its number as written (the longest prefix wins) */
  zones?: Array<{ prefix: string; timeZone: string }>;
}

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DAY = 24 * 60;

/** Minutes after midnight of HH:MM, or a SMS_FIELD error naming the field. */
function minutesOf(field: string, value: string | undefined): number {
  const m = CLOCK.exec((value ?? '').trim());
  if (!m) invalid(field, `"${value ?? ''}" is not a time of day: write it as HH:MM, 00:00 to 23:59`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function checkZone(field: string, timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    invalid(field, `"${timeZone}" is not a time zone: give an IANA name such as Asia/Taipei or Asia/Shanghai`);
  }
  return timeZone;
}

/**
 * A local clock in one time zone: the minute of the day at an instant. The
 * zone's offset is looked up once per minute of UTC (a lookup costs
 * microseconds, and every message asks).
 */
class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private minuteStart = NaN;
  private minuteOfDayThen = 0;

  constructor(timeZone: string | undefined) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  }

  /** minutes (with their fraction) since local midnight */
  minuteOfDay(at: number): number {
    const start = at - (at % 60000);
    if (start !== this.minuteStart) {
      let h = 0;
      let m = 0;
      for (const part of this.format.formatToParts(start)) {
        if (part.type === 'hour') h = Number(part.value);
        else if (part.type === 'minute') m = Number(part.value);
      }
      this.minuteStart = start;
      this.minuteOfDayThen = h * 60 + m;
    }
    return this.minuteOfDayThen + (at - start) / 60000;
  }
}

export class QuietWindow {
  private readonly from: number;
  private readonly to: number;
  private readonly clocks = new Map<string, ZoneClock>();
  private readonly zones: Array<{ prefix: string; timeZone: string }>;
  private readonly timeZone?: string;

  constructor(hours: QuietHours) {
    this.from = minutesOf('quietHours.from', hours.from);
    this.to = minutesOf('quietHours.to', hours.to);
    if (this.from === this.to) invalid('quietHours.to', 'the window ends when it starts: give two different times, or no quiet hours');
    this.timeZone = hours.timeZone ? checkZone('quietHours.timeZone', hours.timeZone) : undefined;
    this.zones = (hours.zones ?? [])
      .map((z, i) => ({ prefix: String(z.prefix ?? '').trim(), timeZone: checkZone(`quietHours.zones[${i}].timeZone`, String(z.timeZone ?? '').trim()) }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** the time zone a number's quiet hours are kept in */
  zoneOf(number: string): string | undefined {
    return this.zones.find((z) => number.startsWith(z.prefix))?.timeZone ?? this.timeZone;
  }

  /** When the quiet hours that hold `at` end for `number` (ms), or undefined outside them. */
  endsAt(number: string, at: number): number | undefined {
    const zone = this.zoneOf(number);
    let clock = this.clocks.get(zone ?? '');
    if (!clock) {
      clock = new ZoneClock(zone);
      this.clocks.set(zone ?? '', clock);
    }
    const now = clock.minuteOfDay(at);
    if (!this.holds(now)) return undefined;
    let end = at + ((this.to - now + DAY) % DAY) * 60000;
    // A change of the clocks (summer time) inside the window moves its end: measure again where it fell.
    const off = clock.minuteOfDay(end) - this.to;
    if (Math.abs(off) >= 1 && Math.abs(off) < 180) {
      const moved = end - off * 60000;
      // The clocks were put forward over the end (02:30 on a night that goes from 02:00 to 03:00): it is when they jump.
      end = this.holds(clock.minuteOfDay(moved)) ? this.firstMinuteOutside(clock, moved, end) : moved;
    }
    return Math.ceil(end / 1000) * 1000;
  }

  /** Whether a minute of the local day is in the window. */
  private holds(minute: number): boolean {
    return this.from < this.to ? minute >= this.from && minute < this.to : minute >= this.from || minute < this.to;
  }

  /** The first whole minute after `inside` whose local time is out of the window, `outside` being one (the clocks change on a whole minute). */
  private firstMinuteOutside(clock: ZoneClock, inside: number, outside: number): number {
    let lo = inside - (inside % 60000);
    let hi = outside + ((60000 - (outside % 60000)) % 60000);
    while (hi - lo > 60000) {
      const mid = lo + Math.floor((hi - lo) / 120000) * 60000;
      if (this.holds(clock.minuteOfDay(mid))) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
