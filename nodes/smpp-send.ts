import type { smpp } from '../src/internal';
import { registerAdminRoutes } from './admin';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { serveSends, SendNodeSettings } from './send-node';
import { requireConfig, SmppConnectionNode } from './shared';

interface SmppSendDef extends NodeDef, SendNodeSettings {
  from: string;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function SmppSendNode(this: Node, saved: SmppSendDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const connection = requireConfig<SmppConnectionNode>(RED, node, config.connection, 'smpp-send.status.noConnection', 'smpp-send.errors.noConnection', 'connection');
    if (!connection) return;
    const client = connection.register(node);
    serveSends<smpp.SmppSendRequest>(RED, node, {
      config,
      client,
      channel: 'SMPP',
      failedKey: 'smpp-send.status.failed',
      deregister: (removed) => connection.deregister(node, removed),
      guard: () => connection.guard,
      // Written out, not spread: a spread object is a slow one for every read after.
      request: (msg, c) => ({
        to: c.to,
        payload: c.payload,
        encoding: c.encoding,
        registeredDelivery: c.registeredDelivery,
        correlation: c.correlation,
        maxParts: c.maxParts,
        origin: c.origin,
        from: (msg.from as string) || config.from || undefined,
      }),
    });
  }

  RED.nodes.registerType('smpp-send', SmppSendNode);
};
