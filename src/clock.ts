/** The time as ISO text; calls in the same millisecond share one string (a send takes it on every message). */
let cache = { at: 0, text: '' };

export function isoNow(): string {
  const at = Date.now();
  if (at !== cache.at) cache = { at, text: new Date(at).toISOString() };
  return cache.text;
}
