let cache = { at: 0, text: '' };

/** The time as ISO text; calls in the same millisecond share one string (a send takes it on every message). */
export function isoNow(): string {
  const at = Date.now();
  if (at !== cache.at) cache = { at, text: new Date(at).toISOString() };
  return cache.text;
}

/** YYMMDDhhmm[ss] (a CMPP status report's, an SMPP receipt's) as an ISO date-time at the given offset from UTC. */
export function reportDate(stamp: string | undefined, utcOffsetMinutes = 0): string | undefined {
  const m = stamp ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/.exec(stamp) : null;
  if (!m) return undefined;
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `20${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${offset}`;
}
