let cache = { at: 0, text: '' };

/** The time as ISO text; calls in the same millisecond share one string (a send takes it on every message). */
export function isoNow(): string {
  const at = Date.now();
  if (at !== cache.at) cache = { at, text: new Date(at).toISOString() };
  return cache.text;
}

/**
 * YYMMDDhhmm[ss] (a CMPP status report's, an SMPP receipt's) as an ISO
 * date-time at the given offset from UTC; undefined for what is no date
 * (0000000000 from a gateway that fills the field with zeros, a 13th month).
 */
export function reportDate(stamp: string | undefined, utcOffsetMinutes = 0): string | undefined {
  const m = stamp ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/.exec(stamp) : null;
  return m ? isoDate(`20${m[1]}`, m[2], m[3], m[4], m[5], m[6] ?? '00', utcOffsetMinutes) : undefined;
}

/** A local date and time, as digits, as ISO text at an offset from UTC; undefined when the fields make no date. */
export function isoDate(year: string, month: string, day: string, hour: string, minute: string, second: string, utcOffsetMinutes: number): string | undefined {
  // Date.UTC carries an overflow into the next field: a day out of its month shows as another date.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`;
}
