/**
 * Concatenation references. A handset joins parts by sender, reference and
 * count, so two long messages to the same phone must not share a reference
 * while either may still be arriving. Each destination gets its own rolling
 * counter; the remembered destinations are bounded (least recently used go).
 */
export interface ReferenceAllocatorOptions {
  /** first reference handed to a destination not seen before (default: from the clock) */
  start?: number;
  /** destinations remembered at most (default 10000) */
  maxDestinations?: number;
}

export class ReferenceAllocator {
  private readonly next = new Map<string, number>();
  private readonly start: number;
  private readonly maxDestinations: number;

  constructor(options: ReferenceAllocatorOptions = {}) {
    // A process that restarts should not begin where the last one began, so the
    // default start comes from the clock: still a sequence, not a random pick.
    this.start = options.start ?? Math.floor(Date.now() / 1000);
    this.maxDestinations = options.maxDestinations ?? 10000;
  }

  /** The next reference for `destination`, within 0..255 or 0..65535. */
  allocate(destination: string, bits: 8 | 16): number {
    const key = `${bits}:${destination}`;
    const value = this.next.get(key) ?? this.start;
    this.next.delete(key);
    this.next.set(key, value + 1);
    if (this.next.size > this.maxDestinations) {
      const oldest = this.next.keys().next().value;
      if (oldest !== undefined) this.next.delete(oldest);
    }
    return bits === 16 ? value & 0xffff : value & 0xff;
  }
}
