/**
 * Reads an IMSP reply: an HTML page whose body holds one record per
 * recipient, records separated by <br>, fields by "|", with spaces around
 * them. Anything else is an error that quotes what came back.
 */
import { SmsError } from '../errors';

export interface SubmitRecord {
  to: string;
  code: number;
  messageId: string;
  description: string;
}

export interface QueryRecord {
  to: string;
  code: number;
  /** yyyymmddHHMMSS when the carrier gave one */
  doneTime?: string;
  description: string;
}

export interface ChangeRecord {
  code: number;
  description: string;
}

function unreadable(why: string, body: string): SmsError {
  const quoted = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  return new SmsError('IMSP_REPLY', `the IMSP reply could not be read (${why}); it said: ${JSON.stringify(quoted)}`);
}

/**
 * The text between <body ...> and </body>, found with indexOf: a hostile
 * reply (thousands of "<body") costs one pass, never a regex's backtracking.
 */
function bodyText(body: string): string | undefined {
  const lower = body.toLowerCase();
  const open = lower.indexOf('<body');
  if (open < 0) return undefined;
  const start = lower.indexOf('>', open);
  if (start < 0) return undefined;
  let end = lower.indexOf('</body', start);
  while (end >= 0 && !/^<\/body\s*>/.test(lower.slice(end, end + 32))) end = lower.indexOf('</body', end + 6);
  return end < 0 ? undefined : body.slice(start + 1, end);
}

function records(body: string, minFields: number): string[][] {
  const text = bodyText(body);
  if (text === undefined) throw unreadable('no <body> in it', body);
  const rows = text
    .split(/<br\s*\/?>/i)
    .map((r) => r.trim())
    .filter(Boolean);
  if (!rows.length) throw unreadable('the body is empty', body);
  return rows.map((row) => {
    const fields = row.split('|').map((f) => f.trim());
    if (fields.length < minFields) throw unreadable(`a record has ${fields.length} field(s), at least ${minFields} expected`, body);
    return fields;
  });
}

function code(text: string, body: string): number {
  if (!/^-?\d+$/.test(text)) throw unreadable(`"${text}" is not a return code`, body);
  return Number(text);
}

const DONE_TIME = /^\d{14}$/;
const isBlank = (s: string | undefined): boolean => !s || s.toLowerCase() === 'null';

/** SubmitSM: to | code | messageid | description (a failed record may leave messageid out). */
export function parseSubmitReply(body: string): SubmitRecord[] {
  return records(body, 3).map((f) => {
    const [to, c, ...rest] = f;
    const withId = rest.length >= 2;
    return {
      to,
      code: code(c, body),
      messageId: withId && !isBlank(rest[0]) ? rest[0] : '',
      description: (withId ? rest.slice(1) : rest).join(' | '),
    };
  });
}

/** QuerySM: to | code | done_time | description, or to | code | done_time-or-description. */
export function parseQueryReply(body: string): QueryRecord[] {
  return records(body, 3).map((f) => {
    const [to, c, ...rest] = f;
    const record: QueryRecord = { to, code: code(c, body), description: '' };
    if (rest.length >= 2) {
      if (DONE_TIME.test(rest[0])) record.doneTime = rest[0];
      record.description = rest.slice(1).join(' | ');
    } else if (DONE_TIME.test(rest[0])) {
      record.doneTime = rest[0];
    } else {
      record.description = rest[0];
    }
    const inDescription = /(\d{14})/.exec(record.description);
    if (!record.doneTime && inDescription && record.code !== 1 && record.code !== 31) record.doneTime = inDescription[1];
    return record;
  });
}

/** ChangePasswd: code | description. */
export function parseChangeReply(body: string): ChangeRecord {
  const [fields] = records(body, 2);
  return { code: code(fields[0], body), description: fields.slice(1).join(' | ') };
}
