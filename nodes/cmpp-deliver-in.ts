import { migrate } from './migrations';
import { editorKey } from './status';
import { Node, NodeAPI, NodeDef } from './red';
import { serveIncoming } from './send-node';
import { CmppConnectionNode, reportMessage } from './shared';

interface CmppDeliverInDef extends NodeDef {
  connection: string;
}

export = function register(RED: NodeAPI): void {
  function CmppDeliverInNode(this: Node, saved: CmppDeliverInDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const connection = RED.nodes.getNode(config.connection) as CmppConnectionNode | null;
    if (!connection) {
      node.status({ fill: 'red', shape: 'ring', text: editorKey('cmpp-deliver-in', 'status.noConnection') });
      return;
    }
    serveIncoming(node, connection.register(node), (removed) => connection.deregister(node, removed), reportMessage);
  }

  RED.nodes.registerType('cmpp-deliver-in', CmppDeliverInNode);
};
