import { modem } from '../src';
import { Node, NodeAPI, NodeDef } from './red';
import { ModemPortNode, OutageLog, Users } from './shared';

interface ModemPortDef extends NodeDef {
  port: string;
  baudRate: string | number;
  smsc: string;
  reopenMax: string | number;
  signalInterval: string | number;
  storage: modem.Storage;
  queueTimeout: string | number;
  failWhenDown: boolean;
}

export = function register(RED: NodeAPI): void {
  function ModemPortNode(this: ModemPortNode, config: ModemPortDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const users = new Users();
    let device: modem.Modem | undefined;
    const outage = new OutageLog(node);

    const show = (state: modem.ModemState, signal?: modem.Signal): void => {
      if (state === 'ready') {
        const s = signal ?? device?.lastSignal;
        if (s && !s.registered) users.status({ fill: 'yellow', shape: 'dot', text: RED._('modem-port.status.unregistered') });
        else users.status({ fill: 'green', shape: 'dot', text: s?.dbm !== undefined ? RED._('modem-port.status.signal', { dbm: s.dbm }) : RED._('modem-port.status.ready') });
      } else if (state === 'opening') users.status({ fill: 'yellow', shape: 'ring', text: RED._('modem-port.status.opening') });
      else if (state === 'reopening') users.status({ fill: 'red', shape: 'ring', text: RED._('modem-port.status.reopening') });
      else if (state === 'failed') users.status({ fill: 'red', shape: 'ring', text: RED._('modem-port.status.failed') });
      else users.status({});
    };

    node.register = (user: Node): modem.Modem => {
      users.add(user);
      if (!device) {
        const queueTimeout = Number(config.queueTimeout);
        device = new modem.Modem({
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
        device.on('state', (state, detail) => {
          show(state);
          if (state === 'ready') outage.up((seconds) => RED._('modem-port.log.up', { port: config.port, seconds }));
          if (state === 'reopening' && detail) outage.down(RED._('modem-port.warn.reopening', { port: config.port, reason: detail.message }));
          if (state === 'failed' && detail) node.error(detail.message);
        });
        device.on('signal', (signal) => show(device!.state, signal));
        device.on('error', (err) => node.warn(err.message));
        device.start().catch(() => undefined); // the state event says why
      }
      return device;
    };

    node.deregister = async (user: Node): Promise<void> => {
      if (users.remove(user) === 0 && device) {
        const d = device;
        device = undefined;
        await d.close();
      }
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      const d = device;
      device = undefined;
      if (d) d.close().then(() => done(), () => done());
      else done();
    });
  }

  RED.nodes.registerType('modem-port', ModemPortNode, { credentials: { pin: { type: 'password' } } });

  // The editor lists the machine's serial ports from here.
  RED.httpAdmin.get('/smsflow/serial-ports', RED.auth.needsPermission('serial.read'), async (_req, res) => {
    try {
      const { SerialPort } = await import('serialport');
      res.json((await SerialPort.list()).map((p) => ({ path: p.path, manufacturer: p.manufacturer ?? '' })));
    } catch (err) {
      res.status(500).json({ error: (err as Error).message });
    }
  });
};
