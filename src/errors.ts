/**
 * The one error type the core throws. `code` is stable (flows and Catch nodes
 * may switch on it); `message` says what is wrong and what to do about it.
 */
import type { ErrorCode } from './codes';

export { ErrorCode };

export class SmsError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'SmsError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }

  /** The message alone: Node-RED shows an error's toString() to Catch nodes and in the Debug sidebar, and "SmsError: " says nothing to a user (the code is in err.code). */
  override toString(): string {
    return this.message;
  }
}

/** Throws a SMS_FIELD error that names the field and the rule it broke. */
export function invalid(field: string, rule: string, code: ErrorCode = 'SMS_FIELD'): never {
  throw new SmsError(code, `${field}: ${rule}`, field);
}

/** What a catch caught, as an Error (a library may throw anything). */
export function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}
