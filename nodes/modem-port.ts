import { asError } from '../src/errors';
import type { modem } from '../src/internal';
import { SmsError } from '../src/errors';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { guardOf, serveGuard } from './policy';
import { SharedConnection } from './connection';
import { ModemPortNode, OutageLog } from './shared';
import { linkStatus, editorKey } from './status';
import { openStore, StoreKind, watchStore } from './store';
import { activity } from './activity';
import type { store as stores } from '../src/internal';
import { core } from './core';

interface ModemPortDef extends NodeDef {
  /** the sms-policy its sends go through ('' for none) */
  policy: string;
  port: string;
  baudRate: string | number;
  smsc: string;
  reopenMax: string | number;
  signalInterval: string | number;
  storage: modem.Storage;
  queueTimeout: string | number;
  failWhenDown: boolean;
  store: StoreKind;
  sidebarDetails: boolean;
}

/** Who holds each port now: a serial port has one owner, and two modem-port nodes on one modem would knock each other off. */
const owners = new Map<string, { id: string; name: string }>();

const portKey = (port: string): string => port.trim().replace(/\/+$/, '').toLowerCase();

export = function register(RED: NodeAPI): void {
  function ModemPortNode(this: ModemPortNode, saved: ModemPortDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const outage = new OutageLog(node);
    let device: modem.Modem | undefined;
    let store: stores.Store | undefined;

    const show = (state: modem.ModemState, signal?: modem.Signal): void => {
      if (store?.failure && state !== 'closed') shared.status(linkStatus('failed', editorKey('modem-port', 'store.notWritable')));
      else if (state === 'ready') {
        const s = signal ?? device?.lastSignal;
        if (s && !s.registered) shared.status(linkStatus('degraded', editorKey('modem-port', 'status.unregistered')));
        else shared.status(linkStatus(state, s?.dbm !== undefined ? editorKey('modem-port', 'status.signal', { dbm: s.dbm }) : editorKey('modem-port', 'status.ready')));
      } else if (state === 'opening' || state === 'reopening' || state === 'failed') {
        shared.status(linkStatus(state, editorKey('modem-port', `status.${state}`)));
      } else shared.status({});
    };

    let stopGuard = (): void => undefined;
    const shared = new SharedConnection<modem.Modem>({
      open() {
        const key = portKey(config.port);
        const owner = owners.get(key);
        if (owner && owner.id !== node.id && RED.nodes.getNode(owner.id)) {
          throw new SmsError('MODEM_OPEN', RED._('modem-port.errors.inUse', { port: config.port, other: owner.name, id: owner.id }));
        }
        owners.set(key, { id: node.id, name: config.name || config.port });
        const queueTimeout = Number(config.queueTimeout);
        store = openStore(RED, node, 'modem', { ...config, store: config.store === 'memory' ? 'memory' : 'sqlite' }, config.port, (from, to, reason) =>
          RED._('modem-port.store.movedAside', { from, to, reason }),
        );
        const d = new core.modem.Modem({
          store,
          port: config.port,
          baudRate: Number(config.baudRate) || 115200,
          pin: node.credentials?.pin || undefined,
          smsc: config.smsc || undefined,
          reopen: { maxMs: (Number(config.reopenMax) || 30) * 1000 },
          signalIntervalMs: (Number(config.signalInterval) || 60) * 1000,
          storage: config.storage === 'ME' || config.storage === 'MT' ? config.storage : 'SM',
          queueTimeoutMs: (config.queueTimeout === '' || config.queueTimeout === undefined || !Number.isFinite(queueTimeout) ? 60 : queueTimeout) * 1000,
          failWhenDown: config.failWhenDown === true,
        });
        device = d;
        watchStore(RED, node, 'modem-port', store, () => show(d.state));
        activity(RED).channel(node.id, 'modem', config.name || config.port, config.sidebarDetails === true);
        d.on('state', (state) => activity(RED).update(node.id, { state }));
        d.on('report', (report) => activity(RED).report(node.id, report));
        d.on('state', (state, detail) => {
          show(state);
          if (state === 'ready') outage.up((seconds) => RED._('modem-port.log.up', { port: config.port, seconds }));
          if (state === 'reopening' && detail) outage.down(RED._('modem-port.warn.reopening', { port: config.port, reason: detail.message }));
          if (state === 'failed' && detail) node.error(detail.message);
        });
        d.on('signal', (signal) => show(d.state, signal));
        d.on('error', (err) => node.warn(err.message));
        node.guard = guardOf(RED, node, config.policy);
        stopGuard = serveGuard(
          node.guard,
          core.policy.policySender('modem', 'pdu', (r) => d.send(r as unknown as modem.ModemSendRequest)),
          d,
        );
        d.start().catch(() => undefined); // the state event says why
        return d;
      },
      async close(d) {
        stopGuard();
        const key = portKey(config.port);
        if (owners.get(key)?.id === node.id) owners.delete(key);
        await d.close();
        await store?.close();
        store = undefined;
      },
    });

    node.register = (user: Node): modem.Modem => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('modem-port', ModemPortNode, { credentials: { pin: { type: 'password' } } });

  // The editor lists the machine's serial ports from here.
  RED.httpAdmin.get('/smsflow/serial-ports', RED.auth.needsPermission('serial.read'), (_req, res) => {
    import('serialport')
      .then(({ SerialPort }) => SerialPort.list())
      .then((ports) => res.json(ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer ?? '' }))))
      .catch((err: unknown) => res.status(500).json({ error: asError(err).message }));
  });
};
