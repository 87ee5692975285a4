import type { route } from '../src/internal';
import { registerAdminRoutes } from './admin';
import { Node, NodeAPI, NodeDef } from './red';
import { serveSends, SendNodeSettings } from './send-node';
import { requireConfig, RouteClient, SmsRouteNode } from './shared';
import { editorKey } from './status';

interface SmsSendDef extends NodeDef, Omit<SendNodeSettings, 'connection'> {
  route: string;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function SmsSendNode(this: Node, config: SmsSendDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const owner = requireConfig<SmsRouteNode>(RED, node, config.route, 'sms-send.status.noRoute', 'sms-send.errors.noRoute', 'route');
    if (!owner) return;
    let client: RouteClient;
    try {
      client = owner.register(node);
    } catch (err) {
      // A route whose rules name a channel that is gone: every msg is answered with why.
      node.status({ fill: 'red', shape: 'ring', text: editorKey('sms-send', 'status.badRoute') });
      node.error((err as Error).message);
      node.on('input', (_msg, _send, done) => done(err as Error));
      return;
    }
    serveSends<route.RouteSend>(RED, node, {
      config: { ...config, connection: config.route },
      client,
      channel: 'ROUTE',
      failedKey: 'sms-send.status.failed',
      deregister: (removed) => owner.deregister(node, removed),
      guard: () => owner.guard,
      request: (_msg, c) => ({
        to: c.to,
        payload: c.payload,
        encoding: c.encoding,
        report: c.registeredDelivery,
        correlation: c.correlation,
        maxParts: c.maxParts,
        origin: c.origin,
      }),
    });
  }

  RED.nodes.registerType('sms-send', SmsSendNode);
};
