import { Encoding, smpp } from '../src';
import { activity } from './activity';
import { registerAdminRoutes } from './admin';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { carriedMessage, correlationOf, finishSend, keptProperties, maxPartsOf, requireConfig, sendError, SmppConnectionNode, textToSend } from './shared';

interface SmppSendDef extends NodeDef {
  connection: string;
  to: string;
  from: string;
  message: string;
  encoding: Encoding | 'auto';
  registeredDelivery: boolean;
  maxParts: string | number;
  keep: string;
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
    const keep = keptProperties(config.keep);
    const onCarried = (carried: smpp.CarriedOver): void => {
      if (carried.origin !== node.id) return;
      if (carried.result.ok) node.send(carriedMessage(carried));
      else node.error(sendError(carried.result, 'SMPP'), carriedMessage(carried));
    };
    client.on('carried', onCarried);

    node.on('input', (msg: NodeMessage, send, done) => {
      const registered = typeof msg.registeredDelivery === 'boolean' ? msg.registeredDelivery : config.registeredDelivery !== false;
      const text = textToSend(msg, config.message);
      const key = activity(RED).accepted(config.connection, msg.to ?? config.to, text);
      const end = finishSend(node, done, 'smpp-send.status.failed');
      let outcome: smpp.SendResult | undefined;
      const finish = (err?: Error): void => {
        activity(RED).sent(key, config.connection, outcome, err, registered);
        end(err);
      };
      client
        .send({
          to: (msg.to ?? config.to) as string | string[],
          payload: text,
          encoding: (msg.encoding as Encoding) || config.encoding || 'auto',
          registeredDelivery: registered,
          from: (msg.from as string) || config.from || undefined,
          correlation: correlationOf(msg, keep),
          maxParts: maxPartsOf(config.maxParts),
          origin: node.id,
        })
        .then((result) => {
          outcome = result;
          if (!result.ok) {
            finish(sendError(result, 'SMPP'));
            return;
          }
          msg.payload = result;
          send(msg);
          finish();
        }, finish);
    });

    node.on('close', (removed: boolean, done: () => void) => {
      client.off('carried', onCarried);
      connection.deregister(node, removed).then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('smpp-send', SmppSendNode);
};
