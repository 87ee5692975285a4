/**
 * What the channel nodes share: how a core result or failure becomes a msg,
 * and how a config node keeps its users.
 */
import { textOf } from '../src/text-of';
import { EventEmitter } from 'node:events';
import type { cmpp, DeliveryReport, ErrorCode, imsp, modem, route, smpp } from '../src/internal';
import { SmsError } from '../src/errors';
import { DEFAULT_MAX_PARTS } from '../src/limits';
import { Node, NodeAPI, NodeMessage, NodeStatus } from './red';
import { editorKey, statusOf } from './status';
import type { Guard } from './policy';

/** The correlation data a send stores and its delivery report brings back. */
export interface Correlation {
  correlation?: unknown;
  topic?: unknown;
  msgid?: string;
  /** msg properties the node was told to keep */
  kept?: Record<string, unknown>;
}

/**
 * What a send keeps of its msg for the delivery report and, with a durable
 * store, across a restart: msg.correlation, msg.topic, its _msgid, and the
 * properties the node lists. Only what JSON can hold survives a restart.
 */
export function correlationOf(msg: NodeMessage, keep: string[] = []): Correlation {
  const c: Correlation = { correlation: msg.correlation, topic: msg.topic, msgid: msg._msgid };
  if (keep.length) c.kept = Object.fromEntries(keep.filter((k) => msg[k] !== undefined).map((k) => [k, msg[k]]));
  return c;
}

/** The node's "also keep" setting: msg properties, comma separated. */
export function keptProperties(setting: unknown): string[] {
  return textOf(setting)
    .split(/[\s,]+/)
    .filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && !['payload', '_msgid', 'req', 'res'].includes(k));
}

/** Puts a send's correlation data back on a msg the way it left. */
function restore(msg: NodeMessage, correlation: unknown): NodeMessage {
  const c = (correlation ?? {}) as Correlation;
  if (c.kept) Object.assign(msg, c.kept);
  if (c.correlation !== undefined) msg.correlation = c.correlation;
  if (c.topic !== undefined) msg.topic = c.topic;
  if (c.msgid !== undefined) msg.sentMsgId = c.msgid;
  return msg;
}

/** A delivery report as a msg, with the send's correlation data. */
export function reportMessage(report: DeliveryReport): NodeMessage {
  const { correlation, ...payload } = report;
  return restore({ payload }, correlation);
}

/** The outcome of a message whose msg was let go (accepted before a restart, or parked), as a msg of its own; `msg.carriedOver` says it came over a restart. */
export function carriedMessage(carried: { correlation?: unknown; result: unknown }): NodeMessage {
  const overRestart = (carried.result as { carriedOver?: boolean }).carriedOver === true;
  return restore(overRestart ? { payload: carried.result, carriedOver: true } : { payload: carried.result }, carried.correlation);
}

/** The send failure's words, from the package's catalogue in the runtime's language (Node-RED's `lang` setting). */
const SEND_FAILED = '@smsflow/node-red-sms/sms-split:sms-split.errors';

/**
 * The error done() gets when a send did not fully succeed: the first
 * failure, with the whole result attached. With `RED`, its words are in the
 * runtime's language; the code and the carrier's own description stay as
 * they are.
 */
export function sendError(
  result: { results: Array<{ ok: boolean; to: string; part: number; code: number | string; description: string; kind?: string; via?: string }> },
  channel: string,
  RED?: Pick<NodeAPI, '_'>,
): SmsError {
  const failed = result.results.filter((r) => !r.ok);
  const first = failed[0];
  // A route's result names, per part, the kind of channel whose carrier gave a numeric code.
  const code = (typeof first.code === 'number' ? `${first.kind ? first.kind.toUpperCase() : channel}_${first.code}` : first.code) as ErrorCode;
  const values = { channel, to: first.to, via: first.via ?? '', part: first.part, description: first.description, count: failed.length - 1 };
  const say = (key: string, english: string): string => {
    const text = RED?._(`${SEND_FAILED}.${key}`, values);
    return text && !text.endsWith(key) ? text : english;
  };
  const more = failed.length > 1 ? say('more', ` (and ${failed.length - 1} more failed part(s) or recipient(s); see err.result)`) : '';
  const text = first.via
    ? say('routeSendFailed', `route send to ${first.to} via ${first.via}, part ${first.part}, failed: ${first.description}`)
    : say('sendFailed', `${channel} send to ${first.to}, part ${first.part}, failed: ${first.description}`);
  const err = new SmsError(code, `${text}${more}`) as SmsError & { result?: unknown };
  err.result = result;
  return err;
}

/** What a restart carried over (a channel's message, or one a policy held): an outcome of its own from the node that sent it, once. */
export function carriedOutcome(
  RED: NodeAPI,
  node: Node,
  channel: string,
  deliver: (msg: NodeMessage) => void,
): (carried: { origin?: string; correlation?: unknown; result: Parameters<typeof sendError>[0] & { ok: boolean } }) => void {
  return (carried) => {
    if (carried.origin !== node.id) return;
    if (carried.result.ok) deliver(carriedMessage(carried));
    else node.error(sendError(carried.result, channel, RED), carriedMessage(carried));
  };
}

/** Users of a config node: every status goes to all of them. */
export class Users {
  private readonly nodes = new Set<Node>();
  private last: NodeStatus = {};

  add(node: Node): number {
    this.nodes.add(node);
    statusOf(node).link(this.last);
    return this.nodes.size;
  }

  remove(node: Node): number {
    this.nodes.delete(node);
    statusOf(node).stop();
    return this.nodes.size;
  }

  get size(): number {
    return this.nodes.size;
  }

  status(status: NodeStatus): void {
    this.last = status;
    for (const node of this.nodes) statusOf(node).link(status);
  }
}

/**
 * Logs an outage of a link or port once when it starts and once when it
 * ends, however many retries lie between.
 */
export class OutageLog {
  private downSince?: number;

  constructor(private readonly node: Node) {}

  down(message: string): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.node.warn(message);
  }

  up(message: (seconds: number) => string): void {
    if (this.downSince === undefined) return;
    const seconds = Math.round((Date.now() - this.downSince) / 1000);
    this.downSince = undefined;
    this.node.log(message(seconds));
  }
}

/** The "max SMS per message" setting: blank is the default (10), 0 no limit. */
export function maxPartsOf(value: unknown): number {
  const n = Number(value);
  return value === '' || value === undefined || value === null || !Number.isInteger(n) || n < 0 ? DEFAULT_MAX_PARTS : n;
}

/** How a send node ends one msg: the status says how the last send went, done() says the rest. */
export function finishSend(node: Node, done: (err?: Error) => void, failedKey: string): (err?: Error) => void {
  return (err?: Error) => {
    const [set] = failedKey.split('.');
    if (err) statusOf(node).failed(editorKey(set, failedKey.slice(set.length + 1), { code: (err as SmsError).code ?? 'ERROR' }));
    else statusOf(node).succeeded();
    done(err);
  };
}

/** A number from a form's setting; blank, missing or not a number: its default. */
export function numberSetting(value: unknown, fallback: number): number {
  const n = Number(value);
  return value === '' || value === undefined || value === null || !Number.isFinite(n) ? fallback : n;
}

/** The cmpp-connection config node, as its users see it. */
export interface CmppConnectionNode extends Node {
  /** the sms-policy its sends go through, once it is open (its first user registered) */
  guard?: Guard;
  register(user: Node): cmpp.CmppClient;
  /** `removed`: the user was deleted, not only redeployed (then the connection stays up for it) */
  deregister(user: Node, removed?: boolean): Promise<void>;
}

/** The smpp-connection config node, as its users see it. */
export interface SmppConnectionNode extends Node {
  /** the sms-policy its sends go through, once it is open (its first user registered) */
  guard?: Guard;
  register(user: Node): smpp.SmppClient;
  deregister(user: Node, removed?: boolean): Promise<void>;
}

/** The imsp-account config node, as its users see it. */
export interface ImspAccountNode extends Node {
  /** the sms-policy its sends go through, once it is open (its first user registered) */
  guard?: Guard;
  register(user: Node): imsp.ImspClient;
  deregister(user: Node, removed?: boolean): Promise<void>;
}

/** The modem-port config node, as its users see it. */
export interface ModemPortNode extends Node {
  /** the sms-policy its sends go through, once it is open (its first user registered) */
  guard?: Guard;
  register(user: Node): modem.Modem;
  deregister(user: Node, removed?: boolean): Promise<void>;
}

/** What a route's users see: one send, the outcomes carried over a restart, and what comes from phones. */
export class RouteClient extends EventEmitter {
  constructor(readonly router: route.Router) {
    super();
  }

  send(request: route.RouteSend): Promise<route.RouteResult> {
    return this.router.send(request);
  }
}

/** The sms-route config node, as its users (sms send, sms receive) see it. */
export interface SmsRouteNode extends Node {
  /** the sms-policy its sends go through, once it is open (its first user registered) */
  guard?: Guard;
  register(user: Node): RouteClient;
  deregister(user: Node, removed?: boolean): Promise<void>;
}

/**
 * What a send node sends: msg.payload when it is text or a Buffer, else the
 * node's static message (an Inject node's timestamp, a sensor's number).
 */
export function textToSend(msg: NodeMessage, message: string | undefined): string | Buffer {
  if (typeof msg.payload === 'string' || Buffer.isBuffer(msg.payload)) return msg.payload;
  if (message) return message;
  return textOf(msg.payload);
}

/**
 * The config node a node needs, or null after saying so: a red status, and
 * every input answered with the error (so a Catch node still sees each msg).
 */
export function requireConfig<T extends Node>(RED: NodeAPI, node: Node, id: string, statusKey: string, errorKey: string, field: string): T | null {
  const config = RED.nodes.getNode(id) as T | null;
  if (!config) {
    const [set] = statusKey.split('.');
    node.status({ fill: 'red', shape: 'ring', text: editorKey(set, statusKey.slice(set.length + 1)) });
    node.on('input', (_msg, _send, done) => done(inputError(RED, errorKey, field)));
  }
  return config;
}

/** The error a send node gives for a msg it cannot take: SMS_FIELD, naming the field, in the user's language. */
export function inputError(RED: NodeAPI, key: string, field: string, substitutions?: Record<string, string | number>): SmsError {
  return new SmsError('SMS_FIELD', RED._(key, substitutions), field);
}
