import { cmpp, DeliveryReport } from '../src';
import { migrate } from './migrations';
import { editorKey } from './status';
import { Node, NodeAPI, NodeDef } from './red';
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
    const client = connection.register(node);
    const onMessage = (sms: cmpp.IncomingSms): void => node.send([{ payload: sms.payload, from: sms.from, to: sms.to, sms: sms.sms }, null]);
    const onReport = (report: DeliveryReport): void => node.send([null, reportMessage(report)]);
    client.on('message', onMessage);
    client.on('report', onReport);

    node.on('close', (removed: boolean, done: () => void) => {
      client.off('message', onMessage);
      client.off('report', onReport);
      connection.deregister(node, removed).then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('cmpp-deliver-in', CmppDeliverInNode);
};
