import { DeliveryReport, smpp } from '../src';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
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
    const client = connection.register(node);
    const onMessage = (sms: smpp.IncomingSms): void => node.send([{ payload: sms.payload, from: sms.from, to: sms.to, sms: sms.sms }, null]);
    const onReport = (report: DeliveryReport): void => node.send([null, reportMessage(report)]);
    client.on('message', onMessage);
    client.on('report', onReport);

    node.on('close', (removed: boolean, done: () => void) => {
      client.off('message', onMessage);
      client.off('report', onReport);
      connection.deregister(node, removed).then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('smpp-receive', SmppReceiveNode);
};
