import type { cmpp } from '../src/internal';
import { registerAdminRoutes } from './admin';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { serveSends, SendNodeSettings } from './send-node';
import { CmppConnectionNode, requireConfig } from './shared';

interface CmppSubmitDef extends NodeDef, SendNodeSettings {
  srcId: string;
  serviceId: string;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function CmppSubmitNode(this: Node, saved: CmppSubmitDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const connection = requireConfig<CmppConnectionNode>(RED, node, config.connection, 'cmpp-submit.status.noConnection', 'cmpp-submit.errors.noConnection', 'connection');
    if (!connection) return;
    const client = connection.register(node);
    serveSends<cmpp.CmppSendRequest>(RED, node, {
      config,
      client,
      channel: 'CMPP',
      failedKey: 'cmpp-submit.status.failed',
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
        srcId: (msg.srcId as string) || config.srcId || undefined,
        serviceId: (msg.serviceId as string) || config.serviceId || undefined,
      }),
    });
  }

  RED.nodes.registerType('cmpp-submit', CmppSubmitNode);
};
