import type { smpp, store as storeKinds } from '../src/internal';
import { SmsError } from '../src/errors';
import { activity } from './activity';
import { SharedConnection } from './connection';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { guardOf, serveGuard } from './policy';
import { closeCarrier, watchCarrier } from './carrier-connection';
import { numberSetting, SmppConnectionNode } from './shared';
import { openStore, StoreKind } from './store';
import { core } from './core';

interface SmppConnectionDef extends NodeDef {
  /** the sms-policy its sends go through ('' for none) */
  policy: string;
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

/** "" keeps the client's default (from the address itself) */
const optionalNum = (value: unknown): number | undefined => (value === '' || value === undefined ? undefined : numberSetting(value, 0));

export = function register(RED: NodeAPI): void {
  function SmppConnectionNode(this: SmppConnectionNode, saved: SmppConnectionDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const where = `${config.host || '127.0.0.1'}:${numberSetting(config.port, 2775)}`;
    const label = config.name || `${config.systemId}@${where}`;

    const options = (): smpp.SmppClientOptions => ({
      host: config.host || '127.0.0.1',
      port: numberSetting(config.port, 2775),
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
      window: numberSetting(config.window, 10),
      ratePerSecond: numberSetting(config.rate, 0),
      links: Math.min(16, Math.max(1, numberSetting(config.links, 1))),
      ratePerLink: numberSetting(config.ratePerLink, 0),
      responseTimeoutMs: numberSetting(config.responseTimeout, 30) * 1000,
      enquireLinkIntervalMs: numberSetting(config.enquireLink, 30) * 1000,
      reconnect: { initialMs: 1000, maxMs: numberSetting(config.reconnectMax, 30) * 1000 },
      maxQueue: numberSetting(config.queueSize, 10000),
      queueTimeoutMs: numberSetting(config.queueTimeout, 60) * 1000,
      delivery: config.delivery === 'at-most-once' ? 'at-most-once' : 'at-least-once',
      trace: config.trace === true ? (line) => node.log(line) : undefined,
    });

    let store: storeKinds.Store | undefined;
    let stopGuard = (): void => undefined;
    const shared: SharedConnection<smpp.SmppClient> = new SharedConnection<smpp.SmppClient>({
      open() {
        if (!config.systemId) throw new SmsError('SMS_FIELD', RED._('smpp-connection.errors.systemId'), 'systemId');
        store = openStore(RED, node, 'smpp', config, `${config.systemId}@${where}`, (from, to, reason) => RED._('smpp-connection.store.movedAside', { from, to, reason }));
        const client = new core.smpp.SmppClient({ ...options(), store });
        watchCarrier(RED, node, shared, client, {
          set: 'smpp-connection',
          kind: 'smpp',
          label,
          where,
          queueSize: numberSetting(config.queueSize, 10000),
          sidebarDetails: config.sidebarDetails === true,
          store,
        });
        client.start().catch(() => undefined); // state events report it
        node.guard = guardOf(RED, node, config.policy);
        stopGuard = serveGuard(
          node.guard,
          core.policy.policySender('smpp', 'smpp', (r) => client.send(r as unknown as smpp.SmppSendRequest)),
          client,
        );
        return client;
      },
      async close(client) {
        stopGuard();
        await closeCarrier(RED, node, 'smpp-connection', label, client, store);
        store = undefined;
      },
    });

    node.register = (user: Node): smpp.SmppClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('smpp-connection', SmppConnectionNode, {
    credentials: { password: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
