/**
 * Records that a long-running simulator keeps (what it received, what each
 * phone got) stay within a bound: past it the oldest entries go.
 */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  // Trimmed in batches, so that a full list does not cost a splice per item.
  if (list.length > max + Math.max(1, Math.floor(max / 10))) list.splice(0, list.length - max);
}

/** Keeps at most `max` keys in a Map, dropping the oldest. */
export function boundMap<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as K);
}
