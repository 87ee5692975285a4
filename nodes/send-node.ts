/**
 * What a send node over a carrier connection does with each msg, the same
 * for CMPP and SMPP: take the text and the numbers, keep the correlation,
 * send, put the result on the msg or give done() the first failure, follow
 * the message in the SMS sidebar, and give messages carried over a restart
 * their outcome.
 */
import type { DeliveryReport, Encoding } from '../src/internal';
import { activity } from './activity';
import { Node, NodeAPI, NodeMessage } from './red';
import { answerAction, Guard, sendGuarded } from './policy';
import { carriedOutcome, correlationOf, finishSend, keptProperties, maxPartsOf, sendError, textToSend } from './shared';

/** What every carrier send takes, whatever the protocol. */
export interface CarrierSend {
  to: string | string[];
  payload: string | Buffer;
  encoding: Encoding | 'auto';
  registeredDelivery: boolean;
  correlation: unknown;
  maxParts: number;
  origin: string;
}

interface Outcome {
  ok: boolean;
  to: string[];
  parts: number;
  results: Array<{ ok: boolean; to: string; part: number; id: string; code: number | string; description: string }>;
}

/** A message's outcome given after its msg was let go: carried over a restart, or parked. */
interface Carried {
  key?: string;
  origin?: string;
  correlation?: unknown;
  result: Outcome;
}

export interface CarrierClient<R> {
  send(request: R): Promise<Outcome>;
  /** the queue in memory is full: a new message is better parked (a store that can: SQLite) */
  readonly parking?: boolean;
  /** queues a message in the store alone; its outcome comes as a carried one */
  park?(request: R): Promise<string>;
  on(event: 'carried', listener: (carried: Carried) => void): unknown;
  off(event: 'carried', listener: (carried: Carried) => void): unknown;
}

export interface SendNodeSettings {
  connection: string;
  to: string;
  message: string;
  encoding: Encoding | 'auto';
  registeredDelivery: boolean;
  maxParts: string | number;
  keep: string;
}

export interface SendNodeWiring<R> {
  config: SendNodeSettings;
  client: CarrierClient<R>;
  /** names a failure's code (CMPP_13, SMPP_11) and its message */
  channel: 'CMPP' | 'SMPP' | 'ROUTE';
  /** the status key of a failed send */
  failedKey: string;
  deregister: (removed: boolean) => Promise<void>;
  /** the connection's sms-policy, read once the connection is open: every send goes through it */
  guard?: () => Guard | undefined;
  /** adds what the protocol takes besides (CMPP's Src_Id, SMPP's sender) to what every send takes */
  request: (msg: NodeMessage, common: CarrierSend) => R;
}

/** Wires `node` to send each msg through its connection's client. */
export function serveSends<R>(RED: NodeAPI, node: Node, wiring: SendNodeWiring<R>): void {
  const { config, client, channel, failedKey, deregister, request } = wiring;
  const keep = keptProperties(config.keep);
  const guard = wiring.guard?.();
  const deliverCarried = carriedOutcome(RED, node, channel, (msg) => node.send(msg));
  const onCarried = (carried: Carried): void => {
    deliverCarried(carried);
    if (carried.key && carried.origin === node.id) activity(RED).parkedOutcome(carried.key, config.connection, carried.result);
  };
  client.on('carried', onCarried);
  guard?.policy.on('carried', onCarried);

  node.on('input', (msg: NodeMessage, send, done) => {
    if (answerAction(guard, msg, msg.to ?? config.to, send, done)) return;
    const registered = typeof msg.registeredDelivery === 'boolean' ? msg.registeredDelivery : config.registeredDelivery !== false;
    const text = textToSend(msg, config.message);
    const key = activity(RED).accepted(config.connection, msg.to ?? config.to, text);
    const end = finishSend(node, done, failedKey);
    let outcome: Outcome | undefined;
    const finish = (err?: Error): void => {
      activity(RED).sent(key, config.connection, outcome, err, registered);
      end(err);
    };
    const common: CarrierSend = {
      to: (msg.to ?? config.to) as string | string[],
      payload: text,
      encoding: (msg.encoding as Encoding) || config.encoding || 'auto',
      registeredDelivery: registered,
      correlation: correlationOf(msg, keep),
      maxParts: maxPartsOf(config.maxParts),
      origin: node.id,
    };
    if (!guard && client.parking && client.park) {
      // A long queue waits in the file, not in memory: the msg is let go once the file has it, and its outcome comes back as a new msg with what was kept.
      client.park(request(msg, common)).then((messageKey) => {
        activity(RED).parked(key, messageKey);
        done();
      }, finish);
      return;
    }
    sendGuarded(guard, request(msg, common), msg, node.id, (r) => client.send(r)).then((result) => {
      outcome = result;
      if (!result.ok) {
        finish(sendError(result, channel, RED));
        return;
      }
      msg.payload = result;
      send(msg);
      finish();
    }, finish);
  });

  node.on('close', (removed: boolean, done: () => void) => {
    client.off('carried', onCarried);
    guard?.policy.off('carried', onCarried);
    deregister(removed).then(
      () => done(),
      () => done(),
    );
  });
}

interface Incoming {
  payload: unknown;
  from: string;
  to: string;
  sms: unknown;
}

/** A client that receives: messages from phones and delivery reports. */
export interface ReceiveClient {
  on(event: 'message', listener: (sms: Incoming) => void): unknown;
  on(event: 'report', listener: (report: DeliveryReport) => void): unknown;
  off(event: 'message', listener: (sms: Incoming) => void): unknown;
  off(event: 'report', listener: (report: DeliveryReport) => void): unknown;
}

/** Wires a receive node: messages from phones on output 1, delivery reports on output 2. */
export function serveIncoming(node: Node, client: ReceiveClient, deregister: (removed: boolean) => Promise<void>, reportMessage: (report: DeliveryReport) => NodeMessage): void {
  const onMessage = (sms: Incoming): void => node.send([{ payload: sms.payload, from: sms.from, to: sms.to, sms: sms.sms }, null]);
  const onReport = (report: DeliveryReport): void => node.send([null, reportMessage(report)]);
  client.on('message', onMessage);
  client.on('report', onReport);
  node.on('close', (removed: boolean, done: () => void) => {
    client.off('message', onMessage);
    client.off('report', onReport);
    deregister(removed).then(
      () => done(),
      () => done(),
    );
  });
}
