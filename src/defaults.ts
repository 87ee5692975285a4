/**
 * Options over their defaults, for every client and session: an option
 * given as `undefined` keeps its default (a spread would put `undefined` in
 * its place: `{ window: undefined }` would never send, `{ maxQueue:
 * undefined }` would queue without bound).
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O | undefined): D & O {
  const out = { ...defaults } as Record<string, unknown>;
  if (options) {
    for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  }
  return out as D & O;
}
