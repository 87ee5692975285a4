/**
 * The words a person answers with to stop messages or have them again. A
 * message from a phone is such a word when it is one, alone: case, spaces
 * and the punctuation around it do not count ("stop", " STOP! ", "退訂。").
 */

/** the aggregators' usual words, and those of Chinese carriers */
export const STOP_WORDS: readonly string[] = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', '退訂', '退订', 'TD', '取消'];
export const START_WORDS: readonly string[] = ['START', '訂閱', '订阅'];

/** The text as a keyword: trimmed, upper case, without punctuation around it. */
export function keywordOf(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '')
    .toUpperCase();
}

/** A list as a user writes it (comma or space separated), as keywords; blank gives the defaults. */
export function keywordList(setting: unknown, defaults: readonly string[]): string[] {
  if (Array.isArray(setting)) return setting.map((w) => keywordOf(String(w))).filter(Boolean);
  const text = typeof setting === 'string' ? setting.trim() : '';
  if (!text) return [...defaults];
  return text
    .split(/[\s,，、;]+/)
    .map(keywordOf)
    .filter(Boolean);
}

/** What a text from a phone asks: stop, start, or nothing. */
export function keywordMeaning(text: string, stop: ReadonlySet<string>, start: ReadonlySet<string>): 'stop' | 'start' | undefined {
  if (text.length > 40) return undefined;
  const word = keywordOf(text);
  if (stop.has(word)) return 'stop';
  if (start.has(word)) return 'start';
  return undefined;
}
