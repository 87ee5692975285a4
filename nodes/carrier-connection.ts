/**
 * What a carrier connection node (cmpp-connection, smpp-connection) does
 * with its client, the same for both: the SMS sidebar follows it, messages
 * carried over a restart without their send node are said, and its state
 * shows under every node that uses it, with the queue, the links up of all,
 * or a store nearly full; an outage is logged once each way.
 */
import { ChannelKind, activity } from './activity';
import { SharedConnection } from './connection';
import { Node, NodeAPI } from './red';
import { OutageLog } from './shared';
import { editorKey, linkStatus } from './status';
import { watchStore } from './store';
import type { store as stores } from '../src/internal';

/** report expectations kept at most (the tracker's default) */
const MAX_PENDING_REPORTS = 100000;

type State = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What the wiring needs of a CMPP or SMPP client. */
export interface CarrierConnectionClient {
  readonly state: State;
  readonly pendingReports: number;
  readonly session: { depth: number; linksUp: number; links: Array<{ on(event: 'state', listener: () => void): unknown }> };
  on(event: 'state', listener: (state: State, detail?: Error) => void): unknown;
  on(event: 'queue', listener: (depth: number) => void): unknown;
  on(event: 'report', listener: (report: { id: string; status: string; detail: string; matched?: boolean }) => void): unknown;
  on(event: 'carried', listener: (carried: { origin?: string; result: { ok: boolean; to: string[] } }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface CarrierConnectionWiring {
  /** the node set, and the key prefix of its texts: cmpp-connection */
  set: string;
  kind: ChannelKind;
  /** the name the sidebar and warnings give it */
  label: string;
  /** host:port, for the log */
  where: string;
  queueSize: number;
  sidebarDetails: boolean;
  /** the store the client keeps its state in: a store that cannot write shows under every user */
  store: stores.Store;
}

export function watchCarrier(RED: NodeAPI, node: Node, shared: SharedConnection<unknown>, client: CarrierConnectionClient, wiring: CarrierConnectionWiring): void {
  const { set, kind, label, where, queueSize } = wiring;
  const outage = new OutageLog(node);
  activity(RED).channel(node.id, kind, label, wiring.sidebarDetails);
  client.on('state', (state) => activity(RED).update(node.id, { state }));
  client.on('queue', (depth) => activity(RED).update(node.id, { queue: depth }));
  client.on('report', (report) => activity(RED).report(node.id, report));
  client.on('carried', (c) => {
    // A message whose send node is gone: its outcome is not lost silently.
    if (!c.origin || !RED.nodes.getNode(c.origin)) node.warn(RED._(`${set}.warn.carriedOrphan`, { ok: String(c.result.ok), to: c.result.to.join(',') }));
  });
  const show = (state: State, detail?: Error): void => {
    const depth = client.session.depth;
    if (wiring.store.failure && state !== 'closed') {
      shared.status(linkStatus('failed', editorKey(set, 'store.notWritable')));
      return;
    }
    switch (state) {
      case 'connected': {
        outage.up((seconds) => RED._(`${set}.log.up`, { where, seconds }));
        // The queue and the reports awaited are bounded: say so before a send is refused.
        const percent = Math.round(100 * Math.max(depth / queueSize, client.pendingReports / MAX_PENDING_REPORTS));
        const total = client.session.links.length;
        if (percent >= 90) shared.status(linkStatus('degraded', editorKey(set, 'status.nearlyFull', { percent })));
        else if (total > 1) {
          const up = client.session.linksUp;
          shared.status(linkStatus(up < total ? 'degraded' : state, editorKey(set, 'status.links', { up, total, depth })));
        } else shared.status(linkStatus(state, depth ? editorKey(set, 'status.queue', { depth }) : editorKey(set, 'status.connected')));
        return;
      }
      case 'connecting':
        shared.status(linkStatus(state, editorKey(set, 'status.connecting')));
        return;
      case 'failed': {
        const retryAt = (detail as { retryAt?: number } | undefined)?.retryAt;
        const time = retryAt ? new Date(retryAt).toTimeString().slice(0, 5) : '';
        shared.status(linkStatus(state, time ? editorKey(set, 'status.loginRetry', { time }) : editorKey(set, 'status.loginFailed')));
        if (detail) outage.down(detail.message);
        return;
      }
      case 'disconnected':
        shared.status(linkStatus(state, editorKey(set, 'status.disconnected')));
        if (detail) outage.down(RED._(`${set}.warn.disconnected`, { where, reason: detail.message }));
        return;
      default:
        shared.status({});
    }
  };
  client.on('state', (state, detail) => show(state, detail));
  client.on('queue', () => show(client.state));
  watchStore(RED, node, set, wiring.store, () => show(client.state));
  // With several links, each one up or down changes what the status says.
  if (client.session.links.length > 1) for (const link of client.session.links) link.on('state', () => show(client.state));
  client.on('error', (err) => node.warn(err.message));
}

/** Says, once, what a close leaves: kept in a durable store for the next start, or failed. */
export async function closeCarrier(
  RED: NodeAPI,
  node: Node,
  set: string,
  label: string,
  client: { session: { depth: number }; close(): Promise<void> },
  store?: { kind: string; close(): unknown },
): Promise<void> {
  const waiting = client.session.depth;
  const kept = store && store.kind !== 'memory';
  if (waiting) node.warn(RED._(kept ? `${set}.warn.keptInStore` : `${set}.warn.closedWithQueue`, { count: waiting, name: label }));
  await client.close();
  await store?.close();
}
