import { registerAdminRoutes } from './admin';
import { Node, NodeAPI, NodeDef } from './red';
import { serveIncoming } from './send-node';
import { reportMessage, requireConfig, RouteClient, SmsRouteNode } from './shared';
import { editorKey } from './status';

interface SmsReceiveDef extends NodeDef {
  route: string;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function SmsReceiveNode(this: Node, config: SmsReceiveDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const owner = requireConfig<SmsRouteNode>(RED, node, config.route, 'sms-receive.status.noRoute', 'sms-receive.errors.noRoute', 'route');
    if (!owner) return;
    let client: RouteClient;
    try {
      client = owner.register(node);
    } catch (err) {
      node.status({ fill: 'red', shape: 'ring', text: editorKey('sms-receive', 'status.badRoute') });
      node.error((err as Error).message);
      return;
    }
    serveIncoming(node, client, (removed) => owner.deregister(node, removed), reportMessage);
  }

  RED.nodes.registerType('sms-receive', SmsReceiveNode);
};
