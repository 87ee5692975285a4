import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { serveIncoming } from './send-node';
import { reportMessage, requireConfig, SmppConnectionNode } from './shared';

interface SmppReceiveDef extends NodeDef {
  connection: string;
}

export = function register(RED: NodeAPI): void {
  function SmppReceiveNode(this: Node, saved: SmppReceiveDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const connection = requireConfig<SmppConnectionNode>(RED, node, config.connection, 'smpp-receive.status.noConnection', 'smpp-receive.errors.noConnection', 'connection');
    if (!connection) return;
    serveIncoming(node, connection.register(node), (removed) => connection.deregister(node, removed), reportMessage);
  }

  RED.nodes.registerType('smpp-receive', SmppReceiveNode);
};
