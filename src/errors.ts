/**
 * The one error type the core throws. `code` is stable (flows and Catch nodes
 * may switch on it); `message` says what is wrong and what to do about it.
 */
export class SmsError extends Error {
  readonly code: string;
  readonly field?: string;

  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'SmsError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

/** Throws a SMS_FIELD error that names the field and the rule it broke. */
export function invalid(field: string, rule: string, code = 'SMS_FIELD'): never {
  throw new SmsError(code, `${field}: ${rule}`, field);
}
