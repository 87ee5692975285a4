/** YYMMDDhhmm of a time at an offset from UTC: how a CMPP status report and an SMPP receipt write their dates. */
export function reportStamp(at: number, utcOffsetMinutes = 0): string {
  const t = new Date(at + utcOffsetMinutes * 60000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return two(t.getUTCFullYear() % 100) + two(t.getUTCMonth() + 1) + two(t.getUTCDate()) + two(t.getUTCHours()) + two(t.getUTCMinutes());
}
