/**
 * How a connection, an account, a modem or a route puts its sends through
 * the sms-policy it names: its client becomes a sender of the policy, the
 * messages its phones send are read for STOP and START, and its send nodes
 * send through the policy (and hear its held messages carried over a restart).
 */
import { EventEmitter } from 'node:events';
import type { DeliveryReport, policy } from '../src/internal';
import { SmsError } from '../src/errors';
import { textOf } from '../src/text-of';
import { Node, NodeAPI, NodeMessage } from './red';

/** The sms-policy node set's own texts (its RED._, bound to its catalogue), given when it registers. */
let texts: NodeAPI['_'] | undefined;

export function usePolicyTexts(translate: NodeAPI['_']): void {
  texts = translate;
}

/** A text of the sms-policy catalogue, in the runtime's language, said by any node. */
export function policyText(key: string, substitutions?: Record<string, string | number>): string {
  return texts ? texts(`sms-policy.${key}`, substitutions) : key;
}

/** The sms-policy config node, as the nodes that use it see it. */
export interface SmsPolicyNode extends Node {
  policy: policy.Policy;
}

/** What a send node sends through: its connection's policy, under that connection's name. */
export interface Guard {
  policy: policy.Policy;
  via: string;
}

/** The policy a config node names, if any; a name that leads nowhere is said once. */
export function guardOf(RED: NodeAPI, owner: Node, policyId: string | undefined): Guard | undefined {
  if (!policyId) return undefined;
  const found = RED.nodes.getNode(policyId) as SmsPolicyNode | null;
  if (!found?.policy) {
    owner.warn(policyText('errors.missing', { id: policyId }));
    return undefined;
  }
  return { policy: found.policy, via: owner.id };
}

/**
 * Lets the guard's policy send by this client, and read what phones send
 * to it; `source` is what emits the messages from phones. Returns how to stop.
 */
export function serveGuard(guard: Guard | undefined, sender: policy.PolicySender, source: EventEmitter): () => void {
  if (!guard) return () => undefined;
  const detach = guard.policy.attach(guard.via, sender);
  const onMessage = (sms: { from: string; payload: unknown }): void => {
    guard.policy.heard(guard.via, sms).catch(() => undefined);
  };
  const onReport = (report: DeliveryReport): void => {
    guard.policy.reported(report);
  };
  source.on('message', onMessage);
  source.on('report', onReport);
  return () => {
    detach();
    source.off('message', onMessage);
    source.off('report', onReport);
  };
}

/** the msg.action values a send node answers from its policy, not by sending */
const ACTIONS = ['optOut', 'optIn', 'optOuts'];

/**
 * Answers msg.action "optOut" / "optIn" (msg.to: the numbers) and
 * "optOuts" (the list, msg.payload) from the guard's policy; undefined
 * when the msg is not such an action.
 */
export function policyAction(guard: Guard | undefined, msg: NodeMessage, to: unknown): Promise<unknown> | undefined {
  const action = msg.action;
  if (typeof action !== 'string' || !ACTIONS.includes(action)) return undefined;
  if (!guard) return Promise.reject(new SmsError('SMS_FIELD', policyText('errors.noPolicy', { action }), 'action'));
  const p = guard.policy;
  if (action === 'optOuts') return p.optOuts();
  const numbers = (Array.isArray(to) ? to.map(textOf) : textOf(to).split(/[\s,;]+/)).filter(Boolean);
  if (!numbers.length) return Promise.reject(new SmsError('SMS_FIELD', policyText('errors.noNumber', { action }), 'to'));
  if (action === 'optOut') return Promise.resolve(numbers.map((n) => p.optOut(n, 'flow', guard.via)));
  return Promise.all(numbers.map(async (n) => ({ number: n, removed: await p.optIn(n) })));
}

/** Answers a policy action (see policyAction) on `send`; false when the msg is a message to send. */
export function answerAction(guard: Guard | undefined, msg: NodeMessage, to: unknown, send: (msg: NodeMessage) => void, done: (err?: Error) => void): boolean {
  const action = policyAction(guard, msg, to);
  if (!action) return false;
  action.then((answer) => {
    msg.payload = answer;
    send(msg);
    done();
  }, done);
  return true;
}

/** Sends through the guard's policy when there is one (msg.priority with it), else straight by the client. */
export function sendGuarded<R, T>(guard: Guard | undefined, request: R, msg: NodeMessage, origin: string, send: (request: R) => Promise<T>): Promise<T> {
  if (!guard) return send(request);
  return guard.policy.send(guard.via, { ...(request as unknown as policy.PolicyRequest), priority: msg.priority, tag: msg.correlation, origin }) as unknown as Promise<T>;
}
