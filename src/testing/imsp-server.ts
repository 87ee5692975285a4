/**
 * An IMSP server on a real HTTPS port (its own certificate for 127.0.0.1 and
 * localhost, made at start): SubmitSM, QuerySM and ChangePasswd as the
 * document describes them, with its return codes and descriptions, message
 * states that move from processing to delivered, and failures on request.
 */
import { EventEmitter } from 'node:events';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import * as iconv from 'iconv-lite';
import { boundMap, pushBounded } from '../bounded';
import { Reassembler } from '../tracking/reassembly';
import { decodeGsm7 } from '../text/gsm7';
import { parseUdh } from '../text/udh';
import { codecFor } from '../text/codecs';
import { selfSignedCertificate, SelfSignedCertificate } from '../tls';
import { checkRecipient, formDecode } from '../imsp/params';

export interface ImspSimulatorOptions {
  host?: string;
  port?: number;
  /** account -> password */
  accounts?: Record<string, string>;
  /** how long a message stays "processing" before QuerySM says delivered (default 100 ms) */
  deliverAfterMs?: number;
  /** recipients per request (default 20) */
  maxRecipients?: number;
  /** final QuerySM code per number (default 0: delivered) */
  finalCode?: (to: string) => number;
  /** the server's certificate and key (default: a new self-signed one) */
  certificate?: SelfSignedCertificate;
  /** entries the request record, each phone's inbox and the sent-message index keep at most (default 100000) */
  recordLimit?: number;
  /** offer only these TLS versions (tests of refusal) */
  tls?: { minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' };
}

export interface ImspFaults {
  /** answer the next SubmitSMs with these return codes, one each */
  submitCodes?: number[];
  /** answer this late */
  delayMs?: number;
  /** answer the next N requests with HTTP 500 */
  http500?: number;
  /** close the next N connections without an answer */
  drop?: number;
  /** answer the next N requests with this body instead */
  garbage?: string[];
}

export interface ImspRequestRecord {
  servlet: string;
  method: string;
  /** decoded parameters; msg as sent (hex, or Big5 decoded to text for msg_dcs 0) */
  params: Record<string, string>;
  /** the raw query string or body */
  raw: string;
}

interface Sent {
  messageId: string;
  to: string;
  at: number;
}

/** a request is a few hundred octets; more is refused */
const MAX_REQUEST_BYTES = 64 * 1024;

const DESCRIPTIONS: Record<number, string> = {
  [-1]: 'System error (simulated)',
  0: 'Success',
  11: 'Invalid parameter',
  18: 'Destination msisdn format error',
  19: 'Destination msisdn number too many',
  20: 'Message length too long',
  22: 'Password error or no this account',
  23: 'Can not send from this IP(127.0.0.1)',
  24: 'This account is forbidden',
  41: 'Forbidden message is found(0123456789)',
  48: 'Message is barred by receiver',
};

const QUERY_DESCRIPTIONS: Record<number, string> = {
  0: 'Successful',
  1: 'Message is processing',
  2: 'System contains no data',
  3: 'Message can not send to GSM/Pager',
  8: 'SIM card memory full',
  9: 'Destination number is unavailable',
  33: 'Message is expired due to SMSC busy.',
  48: 'Message is barred by receiver',
};

function html(body: string): string {
  return `<html> <header></header> <body> ${body} </body> </html>`;
}

function stamp(at: number): string {
  const t = new Date(at + 8 * 3600e3);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}${two(t.getUTCMonth() + 1)}${two(t.getUTCDate())}${two(t.getUTCHours())}${two(t.getUTCMinutes())}${two(t.getUTCSeconds())}`;
}

export class ImspSimulator extends EventEmitter {
  readonly options: Required<Omit<ImspSimulatorOptions, 'tls' | 'certificate'>> & Pick<ImspSimulatorOptions, 'tls'>;
  readonly certificate: SelfSignedCertificate;
  faults: ImspFaults = {};
  readonly requests: ImspRequestRecord[] = [];
  /** what each phone received, long messages joined */
  readonly inboxes = new Map<string, Array<{ text: string; parts: number; incomplete: boolean; at: number }>>();
  private server?: https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sent = new Map<string, Sent[]>();
  private counter = 0x09e6d4c;
  private readonly reassembler = new Reassembler<{ to: string }>({ timeoutMs: 60000 });

  constructor(options: ImspSimulatorOptions = {}) {
    super();
    const { certificate, ...rest } = options;
    this.options = { host: '127.0.0.1', port: 0, accounts: { demo0001: 'pass1234' }, deliverAfterMs: 100, maxRecipients: 20, finalCode: () => 0, recordLimit: 100000, ...rest };
    this.certificate = certificate ?? selfSignedCertificate('smsflow IMSP simulator');
    this.reassembler.on('message', (m) => {
      const to = (m.parts[0].meta as { to: string }).to;
      const list = this.inboxes.get(to) ?? [];
      pushBounded(list, { text: m.text ?? '', parts: m.total, incomplete: m.incomplete, at: Date.now() }, this.options.recordLimit);
      this.inboxes.set(to, list);
      this.emit('phone', to, list[list.length - 1]);
    });
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** The base URL a client uses: https://127.0.0.1:PORT/imsp/sms/servlet/ */
  get baseUrl(): string {
    return `https://${this.options.host}:${this.port}/imsp/sms/servlet/`;
  }

  start(): Promise<number> {
    const tlsOptions = this.options.tls ?? {};
    this.server = https.createServer(
      {
        cert: this.certificate.cert,
        key: this.certificate.key,
        minVersion: tlsOptions.minVersion ?? 'TLSv1.2',
        maxVersion: tlsOptions.maxVersion,
        // An old-protocol server for refusal tests must also allow old ciphers.
        ciphers: tlsOptions.maxVersion && tlsOptions.maxVersion < 'TLSv1.2' ? 'DEFAULT@SECLEVEL=0' : undefined,
      },
      (req, res) => this.handle(req, res),
    );
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => undefined);
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host, () => resolve(this.port));
    });
  }

  async stop(): Promise<void> {
    this.reassembler.flush();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        res.writeHead(413, { 'Content-Type': 'text/html; charset=UTF-8', Connection: 'close' });
        res.end('<html><body>-1 | Request too large</body></html>');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      try {
        this.serve(req, res, Buffer.concat(chunks));
      } catch (err) {
        // Bad input gets an answer; the simulator never goes down with it.
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/html; charset=UTF-8' });
        res.end(html(`-1 | System error (${(err as Error).message})`));
      }
    });
  }

  private serve(req: IncomingMessage, res: ServerResponse, received: Buffer): void {
    {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const raw = req.method === 'GET' ? url.search.replace(/^\?/, '') : received.toString('latin1');
      const servlet = url.pathname.replace(/^\/imsp\/sms\/servlet\//, '');
      const answer = (status: number, body: string): void => {
        const send = (): void => {
          res.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8' });
          res.end(body);
        };
        if (this.faults.delayMs) setTimeout(send, this.faults.delayMs);
        else send();
      };
      if (this.faults.drop && this.faults.drop > 0) {
        this.faults.drop--;
        req.socket.destroy();
        return;
      }
      if (this.faults.http500 && this.faults.http500 > 0) {
        this.faults.http500--;
        answer(500, '<html><body>Internal Server Error</body></html>');
        return;
      }
      if (this.faults.garbage?.length) {
        answer(200, this.faults.garbage.shift() as string);
        return;
      }
      const params = formDecode(raw);
      const text = (name: string): string => params.get(name)?.toString('latin1') ?? '';
      const record: ImspRequestRecord = { servlet, method: req.method ?? '', params: {}, raw };
      for (const [k, v] of params) record.params[k] = v.toString('latin1');
      if (servlet === 'SubmitSM' && text('msg_dcs') === '0' && params.has('msg')) record.params.msg = iconv.decode(params.get('msg') as Buffer, 'big5');
      pushBounded(this.requests, record, this.options.recordLimit);
      this.emit('request', record);

      const account = text('account');
      const authOk = this.options.accounts[account] !== undefined && this.options.accounts[account] === text('password');
      switch (servlet) {
        case 'SubmitSM':
          return answer(200, html(this.submit(params, text, authOk)));
        case 'QuerySM':
          return answer(200, html(this.query(text, authOk)));
        case 'ChangePasswd':
          if (req.method !== 'POST') return answer(200, html('-1 | System error (ChangePasswd is POST only)'));
          if (!authOk) return answer(200, html('22 | Password error or no this account'));
          if (!/^(?=.*[A-Za-z])(?=.*\d)(?=.*[^A-Za-z\d]).{7,8}$/.test(text('newcode'))) return answer(200, html('1 | Failed to change password'));
          this.options.accounts[account] = text('newcode');
          return answer(200, html('0 | Successful'));
        default:
          return answer(404, '<html><body>Not Found</body></html>');
      }
    }
  }

  private submit(params: Map<string, Buffer>, text: (n: string) => string, authOk: boolean): string {
    const to = text('to_addr').split(',').filter(Boolean);
    const all = (code: number, description = DESCRIPTIONS[code] ?? ''): string => (to.length ? to : ['']).map((n) => `${n} | ${code} | | ${description}`).join(' <br> ');
    if (!authOk) return all(22);
    for (const name of ['to_addr', 'msg']) if (!params.has(name) || params.get(name)!.length === 0) return all(11, `null ${name} parameter`);
    const type = text('msg_type') || '0';
    if (!/^[0-3]$/.test(type)) return all(11, 'Invalid msg_type parameter');
    if (to.length > this.options.maxRecipients) return all(19, `Destination msisdn number too many (${this.options.maxRecipients})`);
    const dcs = text('msg_dcs') || '0';
    const msg = params.get('msg') as Buffer;
    const hex = dcs !== '0' || type >= '2';
    if (hex && !/^([0-9A-Fa-f]{2})+$/.test(msg.toString('latin1'))) return all(11, 'Invalid msg parameter');
    const octets = hex ? msg.length / 2 : msg.length;
    const limit = type >= '2' ? 132 : dcs === '8' ? 140 : dcs === '0' && msg.some((b) => b >= 0x80) ? 140 : 160;
    if (octets > limit) return all(20, `Message length too long (${octets}, limited ${limit} bytes)`);
    if ((type === '2' || type === '3') && !/^[0-9A-Fa-f]{4}$/.test(text('dest_port'))) return all(11, 'Invalid dest_port parameter');
    const injected = this.faults.submitCodes?.shift();
    if (injected !== undefined) return all(injected);
    if (!hex && /\d{10}/.test(iconv.decode(msg, 'big5'))) return all(41);
    return to
      .map((number) => {
        try {
          checkRecipient(number);
        } catch {
          return `${number} | 18 | | Destination msisdn format error(${number})`;
        }
        const messageId = `H${(this.counter++).toString(16).toUpperCase().padStart(7, '0')}`;
        this.remember(messageId, number);
        this.toPhone(number, msg, dcs, text('msg_udhi') === '1', hex);
        return `${number} | 0 | ${messageId} | Success`;
      })
      .join(' <br> ');
  }

  private query(text: (n: string) => string, authOk: boolean): string {
    const to = text('to_addr');
    if (!authOk) return `${to} | 22 | null | Password error or no this account`;
    const id = text('messageid');
    if (!/^[\x21-\x7e]{1,20}$/.test(id)) return `${to} | 21 | null | Message id format error`;
    const sent = (this.sent.get(id) ?? []).filter((s) => !to || to.split(',').includes(s.to));
    if (!sent.length) return (to ? to.split(',') : ['']).map((n) => `${n} | 2 | null | System contains no data`).join(' <br> ');
    return sent
      .map((s) => {
        if (Date.now() - s.at < this.options.deliverAfterMs) return `${s.to} | 1 | null | Message is processing`;
        const code = this.options.finalCode(s.to);
        return `${s.to} | ${code} | ${stamp(s.at + this.options.deliverAfterMs)} | ${QUERY_DESCRIPTIONS[code] ?? 'Done'}`;
      })
      .join(' <br> ');
  }

  private remember(messageId: string, to: string): void {
    const list = this.sent.get(messageId) ?? [];
    list.push({ messageId, to, at: Date.now() });
    this.sent.set(messageId, list);
    boundMap(this.sent, this.options.recordLimit);
  }

  private toPhone(to: string, msg: Buffer, dcs: string, udhi: boolean, hex: boolean): void {
    let bytes = hex ? Buffer.from(msg.toString('latin1'), 'hex') : msg;
    let concat = { reference: 0, total: 1, sequence: 1 };
    if (udhi) {
      try {
        const { udh, length } = parseUdh(bytes);
        bytes = bytes.subarray(length);
        if (udh.concat) concat = udh.concat;
      } catch {
        // shown as it came
      }
    }
    const textOf: Record<string, () => string> = {
      '0': () => iconv.decode(bytes, 'big5'),
      '1': () => bytes.toString('latin1'),
      '3': () => decodeGsm7(bytes, 'escape'),
      '8': () => codecFor('ucs2').decode(bytes),
    };
    const decoded = (textOf[dcs] ?? (() => bytes.toString('hex')))();
    this.reassembler.push({ from: to, ...concat, text: decoded, meta: { to } });
  }
}
