/**
 * Chunghwa Telecom IMSP over HTTPS: SubmitSM, QuerySM and ChangePasswd, and a
 * send() that splits text, chooses msg_dcs, sends one request per part (and
 * per 20 recipients) and answers with one result per recipient and part.
 * Delivery can be tracked by polling QuerySM until every recipient's state is
 * final, reported like any channel's delivery report.
 */
import { EventEmitter } from 'node:events';
import * as https from 'node:https';
import * as iconv from 'iconv-lite';
import { isoDate } from '../clock';
import { withDefaults } from '../defaults';
import { asError, SmsError } from '../errors';
import { checkParts, refuseEmpty } from '../limits';
import { MemoryStore } from '../store/memory';
import { Store } from '../store/store';
import { jsonSafe } from '../store/json';
import { DeliveryReport, DeliveryStatus, ReportTracker } from '../tracking/reports';
import { inOrder, PartResult, SendResult } from '../results';
import { Encoding } from '../text/codecs';
import { ReferenceAllocator } from '../text/references';
import { segment } from '../text/segmenter';
import { codeInfo, CodeClass, Servlet } from './codes';
import { checkCredentials, checkSubmit, formEncode, recipientList, SubmitParams } from './params';
import { ChangeRecord, parseChangeReply, parseQueryReply, parseSubmitReply, QueryRecord, SubmitRecord } from './reply';

export const DEFAULT_BASE_URL = 'https://imsp.emome.net:4443/imsp/sms/servlet/';

export interface ImspClientOptions {
  account: string;
  password: string;
  /** the servlets' folder (default: the document's URL) */
  baseUrl?: string;
  /** POST (default) or GET; ChangePasswd is always POST */
  method?: 'POST' | 'GET';
  timeoutMs?: number;
  /** PEM of the CA that signs a private endpoint's certificate (then the only CA trusted) */
  ca?: string | Buffer | Array<string | Buffer>;
  /** recipients per request (default 20, the document's limit) */
  maxRecipients?: number;
  /** a reply larger than this is refused (default 64 KiB; a reply is a few KiB) */
  maxReplyBytes?: number;
  referenceBits?: 8 | 16;
  /** QuerySM polling: first wait, longest wait, and how long to keep trying (default 5 s, 5 min, 24 h) */
  polling?: { initialMs?: number; maxMs?: number; deadlineMs?: number };
  /** where the reports still awaited are kept; after a restart their polling resumes (default: memory) */
  store?: Store;
}

export interface ImspSendRequest {
  to: string | string[];
  payload: string | Buffer;
  /** auto (GSM 7-bit as msg_dcs 3, else UCS-2 as 8), or gsm7, ascii, ucs2, big5 */
  encoding?: Encoding | 'auto';
  /** 0 SMS (default), 1 pop-up, 2 text to an application port, 3 binary to a port */
  msgType?: 0 | 1 | 2 | 3;
  /** with msgType 2 / 3: the port, a number or 4 hex digits */
  destPort?: number | string;
  /** minutes (0: the longest, 1440) */
  expireMinutes?: number;
  fromAddr?: string;
  fromAddrType?: 0 | 1 | 2;
  /** poll QuerySM and emit a delivery report */
  track?: boolean;
  /** a fixed concatenation reference (otherwise the next one for the first recipient) */
  reference?: number;
  correlation?: unknown;
  /** SMS this message may cost per recipient at most (default 10; 0: no limit) */
  maxParts?: number;
}

export interface ImspPartResult extends PartResult {
  /** the code's meaning in the document's words */
  meaning?: string;
  class?: CodeClass;
}

export interface ImspSendResult extends SendResult<'imsp', ImspPartResult> {
  msgDcs: number;
}

export declare interface ImspClient {
  on(event: 'report', listener: (report: DeliveryReport) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

function networkError(err: NodeJS.ErrnoException, url: URL, written: boolean): SmsError {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/UNSUPPORTED_PROTOCOL|protocol version|wrong version|TLSV1_ALERT_PROTOCOL_VERSION|no protocols available/i.test(text)) {
    return new SmsError('IMSP_TLS', `${url.host} does not offer TLS 1.2 or later, which IMSP requires; the connection was refused (${err.message})`);
  }
  if (/CERT|self.signed|unable to verify|altnames|UNABLE_TO_GET_ISSUER/i.test(text)) {
    return new SmsError('IMSP_TLS_CERTIFICATE', `${url.host}'s certificate is not trusted (${err.message}); for a private endpoint give its CA certificate in the CA setting`);
  }
  if (err.code === 'IMSP_TIMEOUT' || err.code === 'IMSP_REPLY_TOO_LARGE') return err as SmsError;
  // Once the request has gone out whole, the server may have acted on it: the SMS may be sent.
  if (written) return new SmsError('IMSP_UNCERTAIN', `the connection to ${url.host} failed after the request was sent and before the reply (${err.message}); the server may have sent the SMS`);
  return new SmsError('IMSP_NETWORK', `could not reach ${url.host}: ${err.message}`);
}

/** The reply's text by its charset: Big5 (the server's own) unless the reply says otherwise. */
export function decodeReply(octets: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'big5';
  if (charset === 'utf-8' || charset === 'utf8') return octets.toString('utf8');
  return iconv.encodingExists(charset) ? iconv.decode(octets, charset) : iconv.decode(octets, 'big5');
}

/** yyyymmddHHMMSS, Taiwan time, to ISO (undefined for what is no date). */
function doneAt(stamp?: string): string | undefined {
  const m = stamp && /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(stamp);
  return m ? isoDate(m[1], m[2], m[3], m[4], m[5], m[6], TAIWAN_OFFSET_MINUTES) : undefined;
}
const TAIWAN_OFFSET_MINUTES = 8 * 60;

export class ImspClient extends EventEmitter {
  private readonly options: Required<Omit<ImspClientOptions, 'ca' | 'polling' | 'store'>> & Pick<ImspClientOptions, 'ca'>;
  private readonly polling: { initialMs: number; maxMs: number; deadlineMs: number };
  private readonly agent: https.Agent;
  private readonly base: URL;
  private readonly references = new ReferenceAllocator();
  private readonly tracker: ReportTracker;
  private readonly pollers = new Set<NodeJS.Timeout>();
  private sends = 0;
  private closed = false;
  private readonly store: Store;
  /** makes report groups unique across restarts */
  private readonly instance = Date.now().toString(36);

  constructor(options: ImspClientOptions) {
    super();
    this.options = withDefaults({ baseUrl: DEFAULT_BASE_URL, method: 'POST' as const, timeoutMs: 30000, maxRecipients: 20, maxReplyBytes: 64 * 1024, referenceBits: 8 as const }, options);
    this.polling = withDefaults({ initialMs: 5000, maxMs: 300000, deadlineMs: 24 * 3600e3 }, options.polling);
    this.base = new URL(this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    if (this.base.protocol !== 'https:') throw new SmsError('IMSP_PARAM', `baseUrl: IMSP takes HTTPS (TLS 1.2 or later) only, got "${this.options.baseUrl}"`, 'baseUrl');
    // Certificates are always verified: against the public CAs, or for a private
    // endpoint against the CA given (which then is the only one trusted).
    this.agent = new https.Agent({ keepAlive: true, minVersion: 'TLSv1.2', ca: options.ca, maxSockets: 8 });
    this.store = options.store ?? new MemoryStore();
    this.tracker = new ReportTracker({ channel: 'imsp', ttlMs: this.polling.deadlineMs + this.polling.maxMs, store: this.store.reports });
    this.tracker.on('report', (r) => this.emit('report', r));
    this.tracker.on('error', (err) => this.emit('error', err));
  }

  async submitSM(params: SubmitParams): Promise<SubmitRecord[]> {
    checkSubmit(params, this.options.maxRecipients);
    const body = await this.call('SubmitSM', [
      ['account', this.options.account],
      ['password', this.options.password],
      ['from_addr_type', params.from_addr_type],
      ['from_addr', params.from_addr],
      ['to_addr_type', params.to_addr_type],
      ['to_addr', params.to_addr],
      ['msg_expire_time', params.msg_expire_time],
      ['msg_type', params.msg_type],
      ['msg_dcs', params.msg_dcs],
      ['msg_pclid', params.msg_pclid],
      ['msg_udhi', params.msg_udhi],
      ['msg', params.msg],
      ['dest_port', params.dest_port],
    ]);
    return parseSubmitReply(body);
  }

  /** QuerySM for a message id; without `to`, every recipient of it (batch mode). */
  async querySM(messageId: string, to?: string): Promise<QueryRecord[]> {
    if (!/^[\x21-\x7e]{1,20}$/.test(messageId)) throw new SmsError('IMSP_PARAM', `messageid: the id SubmitSM returned, 1 to 20 characters, got "${messageId}"`, 'messageid');
    if (to) recipientList(to);
    const body = await this.call('QuerySM', [
      ['account', this.options.account],
      ['password', this.options.password],
      ['to_addr', to ?? ''],
      ['messageid', messageId],
    ]);
    return parseQueryReply(body);
  }

  /** ChangePasswd (POST only). On success the client uses the new password. */
  async changePassword(newPassword: string): Promise<ChangeRecord & { ok: boolean; meaning: string }> {
    checkCredentials({ account: this.options.account, password: newPassword });
    const body = await this.call(
      'ChangePasswd',
      [
        ['account', this.options.account],
        ['password', this.options.password],
        ['newcode', newPassword],
      ],
      'POST',
    );
    const record = parseChangeReply(body);
    if (record.code === 0) this.options.password = newPassword;
    return { ...record, ok: record.code === 0, meaning: codeInfo('ChangePasswd', record.code).en };
  }

  async send(request: ImspSendRequest): Promise<ImspSendResult> {
    const recipients = recipientList(request.to);
    refuseEmpty(request.payload, request.encoding);
    const msgType = request.msgType ?? 0;
    const plan = this.plan(request, msgType);
    const chunks = this.chunk(recipients);
    const sendKey = `${this.instance}-${++this.sends}`;
    const correlation = jsonSafe(request.correlation);
    const submittedAt = new Date().toISOString();
    // Every request is checked before the first one leaves: bad input sends nothing.
    const planned = chunks.flatMap((chunk) =>
      plan.parts.map((part) => {
        const params: SubmitParams = {
          to_addr: chunk.join(','),
          msg_type: msgType,
          msg_dcs: plan.msgDcs,
          msg_udhi: part.udhi ? 1 : undefined,
          msg: part.msg,
          dest_port: plan.destPort,
          msg_expire_time: request.expireMinutes,
          from_addr: request.fromAddr,
          from_addr_type: request.fromAddrType,
        };
        checkSubmit(params, this.options.maxRecipients);
        return { chunk, part, params };
      }),
    );

    const requests = planned.map(async ({ chunk, part, params }): Promise<ImspPartResult[]> => {
      let records: SubmitRecord[];
      try {
        records = await this.submitSM(params);
      } catch (err) {
        const e = err as SmsError;
        return chunk.map((to) => ({ to, part: part.number, ok: false, id: '', code: e.code ?? 'IMSP_ERROR', description: e.message }));
      }
      return chunk.map((to) => {
        const record = records.find((r) => r.to === to) ?? (records.length === 1 ? records[0] : undefined);
        if (!record) return { to, part: part.number, ok: false, id: '', code: 'IMSP_REPLY', description: `the reply has no record for ${to}` };
        const info = codeInfo('SubmitSM', record.code);
        const ok = record.code === 0;
        if (ok && request.track) {
          this.tracker.expect(`${record.messageId}|${to}`, { group: `${sendKey}:${to}`, to, part: part.number, total: plan.parts.length, submittedAt, correlation, carrierId: record.messageId });
        }
        return { to, part: part.number, ok, id: record.messageId, code: record.code, description: record.description || info.en, meaning: info.zh, class: info.class };
      });
    });
    const results = inOrder((await Promise.all(requests)).flat(), recipients);
    if (request.track) {
      for (const id of new Set(results.filter((r) => r.ok).map((r) => r.id))) this.poll(id, this.polling.initialMs, Date.now() + this.polling.deadlineMs);
    }
    return { channel: 'imsp', ok: results.every((r) => r.ok), to: recipients, encoding: plan.encoding, msgDcs: plan.msgDcs, parts: plan.parts.length, results };
  }

  /** Recipients per request: at most maxRecipients numbers and 200 characters of to_addr (§3.1). */
  private chunk(recipients: string[]): string[][] {
    const chunks: string[][] = [];
    let current: string[] = [];
    let length = 0;
    for (const n of recipients) {
      const added = current.length ? n.length + 1 : n.length;
      if (current.length && (current.length >= this.options.maxRecipients || length + added > 200)) {
        chunks.push(current);
        current = [];
        length = 0;
      }
      length += current.length ? n.length + 1 : n.length;
      current.push(n);
    }
    chunks.push(current);
    return chunks;
  }

  /**
   * Takes up the reports the store kept across a restart and polls QuerySM
   * for them again. Resolves with how many messages it polls for.
   */
  async resume(): Promise<number> {
    await this.tracker.restore();
    const ids = new Set<string>();
    for (const record of await this.store.reports.load()) for (const id of Object.values(record.shown)) ids.add(id);
    for (const id of ids) this.poll(id, this.polling.initialMs, Date.now() + this.polling.deadlineMs);
    return ids.size;
  }

  /** Stops polling and closes kept-alive connections. */
  close(): void {
    this.closed = true;
    for (const t of this.pollers) clearTimeout(t);
    this.pollers.clear();
    this.tracker.close();
    this.agent.destroy();
  }

  private plan(request: ImspSendRequest, msgType: number): { encoding: Encoding; msgDcs: number; destPort?: string; parts: Array<{ number: number; msg: string | Buffer; udhi: boolean }> } {
    if (msgType === 2 || msgType === 3) {
      const port = typeof request.destPort === 'number' ? request.destPort.toString(16).padStart(4, '0') : request.destPort;
      if (typeof request.destPort === 'number' && (request.destPort < 0 || request.destPort > 0xffff)) {
        throw new SmsError('IMSP_PARAM', `dest_port: a port from 0 to 65535, got ${request.destPort}`, 'dest_port');
      }
      // Text to an application is always UTF-16BE (document, example 3); binary goes as it is.
      const bytes = msgType === 2 ? Buffer.from(String(request.payload), 'utf16le').swap16() : Buffer.isBuffer(request.payload) ? request.payload : Buffer.from(String(request.payload), 'hex');
      return {
        encoding: msgType === 2 ? 'ucs2' : 'binary',
        msgDcs: msgType === 2 ? 8 : 4,
        destPort: port?.toUpperCase(),
        parts: [{ number: 1, msg: bytes.toString('hex').toUpperCase(), udhi: false }],
      };
    }
    const split = segment(request.payload, {
      target: 'imsp',
      encoding: request.encoding ?? 'auto',
      referenceBits: this.options.referenceBits,
      reference: request.reference,
      to: String(Array.isArray(request.to) ? request.to[0] : request.to),
      allocator: this.references,
    });
    checkParts(split, request.maxParts);
    return {
      encoding: split.encoding,
      msgDcs: split.code,
      parts: split.parts.map((p) => ({
        number: p.number,
        msg: split.encoding === 'big5' ? p.userData : p.userData.toString('hex').toUpperCase(),
        udhi: p.udh.length > 0,
      })),
    };
  }

  private poll(messageId: string, waitMs: number, deadline: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pollers.delete(timer);
      // Whatever goes wrong on the way is an 'error' event, never an unhandled rejection.
      this.querySM(messageId)
        .catch((err: unknown) => {
          this.emit('error', asError(err));
          return [] as QueryRecord[];
        })
        .then((records) => this.polled(messageId, records, waitMs, deadline))
        .catch((err: unknown) => this.emit('error', asError(err)));
    }, waitMs);
    timer.unref?.();
    this.pollers.add(timer);
  }

  /** One QuerySM's answer: each final state is a report; a message still under way is asked about again later. */
  private polled(messageId: string, records: QueryRecord[], waitMs: number, deadline: number): void {
    let waiting = records.length === 0;
    for (const record of records) {
      const info = codeInfo('QuerySM', record.code);
      const status: DeliveryStatus = info.status ?? 'unknown';
      if (info.class === 'progress' || info.class === 'retryable') {
        waiting = true;
        continue;
      }
      this.tracker.resolve(`${messageId}|${record.to}`, { status, detail: `${record.code} ${record.description}`.trim(), doneAt: doneAt(record.doneTime), to: record.to });
    }
    if (waiting && Date.now() + waitMs < deadline) this.poll(messageId, Math.min(this.polling.maxMs, waitMs * 2), deadline);
  }

  private call(servlet: Servlet, params: Array<[string, string | number | Buffer | undefined]>, method = this.options.method): Promise<string> {
    // Checked here rather than at creation, so that a flow deploys before its password is filled in.
    checkCredentials(this.options);
    const url = new URL(servlet, this.base);
    const form = formEncode(params);
    if (method === 'GET') url.search = form;
    const { timeoutMs, maxReplyBytes } = this.options;
    return new Promise((resolve, reject) => {
      // One deadline for the whole request, however slowly the reply trickles in.
      const deadline = setTimeout(() => req.destroy(new SmsError('IMSP_TIMEOUT', `${servlet} did not answer in full within ${timeoutMs} ms`)), timeoutMs);
      const settle =
        <T>(fn: (v: T) => void) =>
        (v: T): void => {
          clearTimeout(deadline);
          fn(v);
        };
      const ok = settle(resolve);
      const fail = settle(reject);
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxReplyBytes) {
              req.destroy(
                new SmsError(
                  'IMSP_REPLY_TOO_LARGE',
                  `${servlet} answered with more than ${Math.round(maxReplyBytes / 1024)} KiB; an IMSP reply is a few KiB, so this is not the IMSP server (check the URL)`,
                ),
              );
              return;
            }
            chunks.push(c);
          });
          res.on('error', (err) => fail(networkError(err, url, true)));
          res.on('end', () => {
            const body = decodeReply(Buffer.concat(chunks), res.headers['content-type']);
            if (res.statusCode !== 200) {
              fail(new SmsError('IMSP_HTTP', `${servlet} answered HTTP ${res.statusCode}: ${JSON.stringify(body.slice(0, 200))}`));
              return;
            }
            ok(body);
          });
        },
      );
      let written = false;
      req.on('finish', () => (written = true));
      req.on('error', (err) => fail(networkError(err, url, written)));
      req.end(method === 'POST' ? form : undefined);
    });
  }
}
