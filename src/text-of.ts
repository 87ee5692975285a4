/**
 * Values of unknown type made into text, without "[object Object]": what a
 * field or a msg property holds (`textOf`), and what an error may quote of
 * a value it refuses (`shown`).
 */

/** A string as it is; a number, bigint or boolean written out; nothing as ''; anything else as its JSON. */
export function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'undefined':
      return '';
    default:
      if (value === null) return '';
      if (Buffer.isBuffer(value)) return value.toString('latin1');
      return JSON.stringify(value) ?? '';
  }
}

/** A value as an error message quotes it: a string in quotes, a Buffer by its size, an object cut short. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} octets`;
  if (value === undefined || value === null) return 'nothing';
  const text = textOf(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
