import { smpp, SmsError, store as storeKinds } from '../src';
import { activity } from './activity';
import { SharedConnection } from './connection';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { OutageLog, SmppConnectionNode } from './shared';
import { editorKey, linkStatus } from './status';
import { openStore, StoreKind } from './store';

interface SmppConnectionDef extends NodeDef {
  host: string;
  port: string | number;
  tls: boolean;
  systemId: string;
  systemType: string;
  bindMode: 'transceiver' | 'transmitter-receiver' | 'transmitter';
  sourceAddr: string;
  sourceTon: string | number;
  sourceNpi: string | number;
  destTon: string | number;
  destNpi: string | number;
  longMessages: smpp.LongMessageMode;
  window: string | number;
  rate: string | number;
  links: string | number;
  ratePerLink: string | number;
  responseTimeout: string | number;
  enquireLink: string | number;
  reconnectMax: string | number;
  queueSize: string | number;
  queueTimeout: string | number;
  delivery: smpp.SmppSessionOptions['delivery'];
  trace: boolean;
  store: StoreKind;
  redisUrl: string;
  sidebarDetails: boolean;
}

const num = (value: unknown, fallback: number): number => {
  const n = Number(value);
  return value === '' || value === undefined || !Number.isFinite(n) ? fallback : n;
};
/** "" keeps the client's default (from the address itself) */
const optionalNum = (value: unknown): number | undefined => (value === '' || value === undefined ? undefined : num(value, 0));

export = function register(RED: NodeAPI): void {
  function SmppConnectionNode(this: SmppConnectionNode, saved: SmppConnectionDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const outage = new OutageLog(node);
    const where = `${config.host || '127.0.0.1'}:${num(config.port, 2775)}`;
    const label = config.name || `${config.systemId}@${where}`;

    const options = (): smpp.SmppClientOptions => ({
      host: config.host || '127.0.0.1',
      port: num(config.port, 2775),
      tls: config.tls === true ? {} : undefined,
      systemId: config.systemId,
      password: node.credentials?.password ?? '',
      systemType: config.systemType ?? '',
      bindMode: config.bindMode || 'transceiver',
      sourceAddr: config.sourceAddr,
      sourceTon: optionalNum(config.sourceTon),
      sourceNpi: optionalNum(config.sourceNpi),
      destTon: optionalNum(config.destTon),
      destNpi: optionalNum(config.destNpi),
      longMessages: config.longMessages || 'udh',
      window: num(config.window, 10),
      ratePerSecond: num(config.rate, 0),
      links: Math.min(16, Math.max(1, num(config.links, 1))),
      ratePerLink: num(config.ratePerLink, 0),
      responseTimeoutMs: num(config.responseTimeout, 30) * 1000,
      enquireLinkIntervalMs: num(config.enquireLink, 30) * 1000,
      reconnect: { initialMs: 1000, maxMs: num(config.reconnectMax, 30) * 1000 },
      maxQueue: num(config.queueSize, 10000),
      queueTimeoutMs: num(config.queueTimeout, 60) * 1000,
      delivery: config.delivery === 'at-most-once' ? 'at-most-once' : 'at-least-once',
      trace: config.trace === true ? (line) => node.log(line) : undefined,
    });

    let store: storeKinds.Store | undefined;
    const shared = new SharedConnection<smpp.SmppClient>({
      open() {
        if (!config.systemId) throw new SmsError('SMS_FIELD', RED._('smpp-connection.errors.systemId'), 'systemId');
        store = openStore(RED, node, 'smpp', config, `${config.systemId}@${where}`, (from, to, reason) => RED._('smpp-connection.store.movedAside', { from, to, reason }));
        const client = new smpp.SmppClient({ ...options(), store });
        activity(RED).channel(node.id, 'smpp', label, config.sidebarDetails === true);
        client.on('state', (state) => activity(RED).update(node.id, { state }));
        client.on('queue', (depth) => activity(RED).update(node.id, { queue: depth }));
        client.on('report', (report) => activity(RED).report(node.id, report));
        client.on('carried', (c) => {
          if (!c.origin || !RED.nodes.getNode(c.origin)) node.warn(RED._('smpp-connection.warn.carriedOrphan', { ok: String(c.result.ok), to: c.result.to.join(',') }));
        });
        client.on('state', (state, detail) => showState(client, state, detail));
        client.on('queue', () => showState(client, client.state));
        if (client.session.links.length > 1) for (const link of client.session.links) link.on('state', () => showState(client, client.state));
        client.on('error', (err) => node.warn(err.message));
        client.start().catch(() => undefined); // state events report it
        return client;
      },
      async close(client) {
        const waiting = client.session.depth;
        const kept = store && store.kind !== 'memory';
        if (waiting) node.warn(RED._(kept ? 'smpp-connection.warn.keptInStore' : 'smpp-connection.warn.closedWithQueue', { count: waiting, name: label }));
        await client.close();
        await store?.close();
        store = undefined;
      },
    });

    function showState(client: smpp.SmppClient, state: smpp.SessionState, detail?: Error): void {
      const depth = client.session.depth;
      switch (state) {
        case 'connected': {
          outage.up((seconds) => RED._('smpp-connection.log.up', { where, seconds }));
          const up = client.session.linksUp;
          const total = client.session.links.length;
          if (total > 1) shared.status(linkStatus(up < total ? 'degraded' : state, editorKey('smpp-connection', 'status.links', { up, total, depth })));
          else shared.status(linkStatus(state, depth ? editorKey('smpp-connection', 'status.queue', { depth }) : editorKey('smpp-connection', 'status.bound')));
          return;
        }
        case 'connecting':
          shared.status(linkStatus(state, editorKey('smpp-connection', 'status.connecting')));
          return;
        case 'failed': {
          const retryAt = (detail as { retryAt?: number } | undefined)?.retryAt;
          const time = retryAt ? new Date(retryAt).toTimeString().slice(0, 5) : '';
          shared.status(linkStatus(state, time ? editorKey('smpp-connection', 'status.bindRetry', { time }) : editorKey('smpp-connection', 'status.bindFailed')));
          if (detail) outage.down(detail.message);
          return;
        }
        case 'disconnected':
          shared.status(linkStatus(state, editorKey('smpp-connection', 'status.disconnected')));
          if (detail) outage.down(RED._('smpp-connection.warn.disconnected', { where, reason: detail.message }));
          return;
        default:
          shared.status({});
      }
    }

    node.register = (user: Node): smpp.SmppClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('smpp-connection', SmppConnectionNode, {
    credentials: { password: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
