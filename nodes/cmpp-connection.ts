import { cmpp, SmsError } from '../src';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { SharedConnection } from './connection';
import { CmppConnectionNode, OutageLog } from './shared';
import { linkStatus, editorKey } from './status';
import { openStore, StoreKind } from './store';
import { activity } from './activity';
import { store as storeKinds } from '../src';

interface CmppConnectionDef extends NodeDef {
  host: string;
  port: string | number;
  spId: string;
  version: '3.0' | '2.0';
  srcId: string;
  serviceId: string;
  window: string | number;
  responseTimeout: string | number;
  maxTries: string | number;
  activeTest: string | number;
  reconnectMax: string | number;
  rate: string | number;
  queueSize: string | number;
  utcOffset: string | number;
  referenceBits: '8' | '16';
  queueTimeout: string | number;
  failWhenDown: boolean;
  delivery: cmpp.Delivery;
  loginRetry: string | number;
  looseAuthenticator: boolean;
  trace: boolean;
  store: StoreKind;
  redisUrl: string;
  sidebarDetails: boolean;
  links: string | number;
  ratePerLink: string | number;
}

/** report expectations kept at most (the tracker's default) */
const MAX_PENDING_REPORTS = 100000;

const num = (value: unknown, fallback: number): number => {
  const n = Number(value);
  return value === '' || value === undefined || !Number.isFinite(n) ? fallback : n;
};

export = function register(RED: NodeAPI): void {
  function CmppConnectionNode(this: CmppConnectionNode, saved: CmppConnectionDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const outage = new OutageLog(node);
    const where = `${config.host || '127.0.0.1'}:${num(config.port, 7890)}`;

    const options = (): cmpp.CmppClientOptions => ({
      host: config.host || '127.0.0.1',
      port: num(config.port, 7890),
      spId: config.spId,
      sharedSecret: node.credentials?.sharedSecret ?? '',
      version: config.version === '2.0' ? 0x20 : 0x30,
      srcId: config.srcId,
      serviceId: config.serviceId,
      window: num(config.window, 16),
      responseTimeoutMs: num(config.responseTimeout, 60) * 1000,
      maxTries: num(config.maxTries, 3),
      activeTestIntervalMs: num(config.activeTest, 180) * 1000,
      reconnect: { initialMs: 1000, maxMs: num(config.reconnectMax, 30) * 1000 },
      ratePerSecond: num(config.rate, 0),
      maxQueue: num(config.queueSize, 10000),
      utcOffsetMinutes: num(config.utcOffset, 8) * 60,
      referenceBits: config.referenceBits === '16' ? 16 : 8,
      queueTimeoutMs: num(config.queueTimeout, 60) * 1000,
      failWhenDown: config.failWhenDown === true,
      delivery: config.delivery === 'at-most-once' ? 'at-most-once' : 'at-least-once',
      loginRetryMs: num(config.loginRetry, 5) * 60000,
      acceptLooseAuthenticator: config.looseAuthenticator === true,
      trace: config.trace === true ? (line) => node.log(line) : undefined,
      links: Math.min(16, Math.max(1, num(config.links, 1))),
      ratePerLink: num(config.ratePerLink, 0),
    });

    let store: storeKinds.Store | undefined;
    const shared = new SharedConnection<cmpp.CmppClient>({
      open() {
        if (!config.spId) throw new SmsError('SMS_FIELD', RED._('cmpp-connection.errors.spId'), 'spId');
        store = openStore(RED, node, 'cmpp', config, `${config.spId}@${where}`, (from, to, reason) => RED._('cmpp-connection.store.movedAside', { from, to, reason }));
        const client = new cmpp.CmppClient({ ...options(), store });
        activity(RED).channel(node.id, 'cmpp', config.name || `${config.spId}@${where}`, config.sidebarDetails === true);
        client.on('state', (state) => activity(RED).update(node.id, { state }));
        client.on('queue', (depth) => activity(RED).update(node.id, { queue: depth }));
        client.on('report', (report) => activity(RED).report(node.id, report));
        client.on('carried', (c) => {
          // A message whose send node is gone: its outcome is not lost silently.
          if (!c.origin || !RED.nodes.getNode(c.origin)) node.warn(RED._('cmpp-connection.warn.carriedOrphan', { ok: String(c.result.ok), to: c.result.to.join(',') }));
        });
        client.on('state', (state, detail) => showState(client, state, detail));
        client.on('queue', () => showState(client, client.state));
        // With several links, each one up or down changes what the status says.
        if (client.session.links.length > 1) for (const link of client.session.links) link.on('state', () => showState(client, client.state));
        client.on('error', (err) => node.warn(err.message));
        client.start().catch(() => undefined); // state events report it
        return client;
      },
      async close(client) {
        // Messages still waiting are kept by a durable store for the next start, else failed; either way, said once.
        const waiting = client.session.depth;
        const kept = store && store.kind !== 'memory';
        if (waiting) node.warn(RED._(kept ? 'cmpp-connection.warn.keptInStore' : 'cmpp-connection.warn.closedWithQueue', { count: waiting, name: config.name || `${config.spId}@${where}` }));
        await client.close();
        await store?.close();
        store = undefined;
      },
    });

    function showState(client: cmpp.CmppClient, state: cmpp.SessionState, detail?: Error): void {
      const depth = client.session.depth;
      switch (state) {
        case 'connected': {
          outage.up((seconds) => RED._('cmpp-connection.log.up', { where, seconds }));
          // The queue and the reports awaited are bounded: say so before a send is refused.
          const percent = Math.round(100 * Math.max(depth / num(config.queueSize, 10000), client.pendingReports / MAX_PENDING_REPORTS));
          if (percent >= 90) shared.status(linkStatus('degraded', editorKey('cmpp-connection', 'status.nearlyFull', { percent })));
          else if (client.session.links.length > 1) {
            // Several links: how many are up, and the queue.
            const up = client.session.linksUp;
            const total = client.session.links.length;
            shared.status(linkStatus(up < total ? 'degraded' : state, editorKey('cmpp-connection', 'status.links', { up, total, depth })));
          } else shared.status(linkStatus(state, depth ? editorKey('cmpp-connection', 'status.queue', { depth }) : editorKey('cmpp-connection', 'status.connected')));
          return;
        }
        case 'connecting':
          shared.status(linkStatus(state, editorKey('cmpp-connection', 'status.connecting')));
          return;
        case 'failed': {
          const retryAt = (detail as cmpp.RetryError | undefined)?.retryAt;
          const time = retryAt ? new Date(retryAt).toTimeString().slice(0, 5) : '';
          shared.status(linkStatus(state, time ? editorKey('cmpp-connection', 'status.loginRetry', { time }) : editorKey('cmpp-connection', 'status.loginFailed')));
          if (detail) outage.down(detail.message);
          return;
        }
        case 'disconnected':
          shared.status(linkStatus(state, editorKey('cmpp-connection', 'status.disconnected')));
          if (detail) outage.down(RED._('cmpp-connection.warn.disconnected', { where, reason: detail.message }));
          return;
        default:
          shared.status({});
      }
    }

    node.register = (user: Node): cmpp.CmppClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('cmpp-connection', CmppConnectionNode, {
    credentials: { sharedSecret: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
