import type { cmpp } from '../src/internal';
import { SmsError } from '../src/errors';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { guardOf, serveGuard } from './policy';
import { SharedConnection } from './connection';
import { closeCarrier, watchCarrier } from './carrier-connection';
import { CmppConnectionNode, numberSetting } from './shared';
import { openStore, StoreKind } from './store';
import { activity } from './activity';
import type { store as storeKinds } from '../src/internal';
import { core } from './core';

interface CmppConnectionDef extends NodeDef {
  /** the sms-policy its sends go through ('' for none) */
  policy: string;
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

export = function register(RED: NodeAPI): void {
  function CmppConnectionNode(this: CmppConnectionNode, saved: CmppConnectionDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const where = `${config.host || '127.0.0.1'}:${numberSetting(config.port, 7890)}`;

    const options = (): cmpp.CmppClientOptions => ({
      host: config.host || '127.0.0.1',
      port: numberSetting(config.port, 7890),
      spId: config.spId,
      sharedSecret: node.credentials?.sharedSecret ?? '',
      version: config.version === '2.0' ? 0x20 : 0x30,
      srcId: config.srcId,
      serviceId: config.serviceId,
      window: numberSetting(config.window, 16),
      responseTimeoutMs: numberSetting(config.responseTimeout, 60) * 1000,
      maxTries: numberSetting(config.maxTries, 3),
      activeTestIntervalMs: numberSetting(config.activeTest, 180) * 1000,
      reconnect: { initialMs: 1000, maxMs: numberSetting(config.reconnectMax, 30) * 1000 },
      ratePerSecond: numberSetting(config.rate, 0),
      maxQueue: numberSetting(config.queueSize, 10000),
      utcOffsetMinutes: numberSetting(config.utcOffset, 8) * 60,
      referenceBits: config.referenceBits === '16' ? 16 : 8,
      queueTimeoutMs: numberSetting(config.queueTimeout, 60) * 1000,
      failWhenDown: config.failWhenDown === true,
      delivery: config.delivery === 'at-most-once' ? 'at-most-once' : 'at-least-once',
      loginRetryMs: numberSetting(config.loginRetry, 5) * 60000,
      acceptLooseAuthenticator: config.looseAuthenticator === true,
      trace: config.trace === true ? (line) => node.log(line) : undefined,
      links: Math.min(16, Math.max(1, numberSetting(config.links, 1))),
      ratePerLink: numberSetting(config.ratePerLink, 0),
    });

    let store: storeKinds.Store | undefined;
    const label = config.name || `${config.spId}@${where}`;
    let stopGuard = (): void => undefined;
    const shared: SharedConnection<cmpp.CmppClient> = new SharedConnection<cmpp.CmppClient>({
      open() {
        if (!config.spId) throw new SmsError('SMS_FIELD', RED._('cmpp-connection.errors.spId'), 'spId');
        store = openStore(RED, node, 'cmpp', config, `${config.spId}@${where}`, (from, to, reason) => RED._('cmpp-connection.store.movedAside', { from, to, reason }));
        const client = new core.cmpp.CmppClient({ ...options(), store });
        watchCarrier(RED, node, shared, client, {
          set: 'cmpp-connection',
          kind: 'cmpp',
          label,
          where,
          queueSize: numberSetting(config.queueSize, 10000),
          sidebarDetails: config.sidebarDetails === true,
          store,
        });
        node.guard = guardOf(RED, node, config.policy);
        stopGuard = serveGuard(
          node.guard,
          core.policy.policySender('cmpp', 'cmpp', (r) => client.send(r as unknown as cmpp.CmppSendRequest)),
          client,
        );
        client.start().catch(() => undefined); // state events report it
        return client;
      },
      async close(client) {
        stopGuard();
        await closeCarrier(RED, node, 'cmpp-connection', label, client, store);
        store = undefined;
      },
    });

    node.register = (user: Node): cmpp.CmppClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('cmpp-connection', CmppConnectionNode, {
    credentials: { sharedSecret: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
