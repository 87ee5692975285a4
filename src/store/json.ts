/**
 * Records to text and back for the stores that keep text: Buffers (message
 * content, authenticators) survive as themselves, written as base64.
 */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return Buffer.isBuffer(raw) ? { $b64: raw.toString('base64') } : value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value.$b64 === 'string') return Buffer.from(value.$b64, 'base64');
    if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data as number[]);
    return value;
  });
}

/**
 * The part of a value that survives a restart: what JSON keeps. Objects that
 * cannot be written (an HTTP response, a socket, a cycle) are left out.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  try {
    return fromJson(toJson(value));
  } catch {
    if (typeof value !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      try {
        const text = toJson(v);
        if (text !== undefined) out[k] = fromJson(text);
      } catch {
        // left out: it cannot survive a restart
      }
    }
    return out;
  }
}
