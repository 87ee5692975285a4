import { cmpp, Encoding } from '../src';
import { registerAdminRoutes } from './admin';
import { activity } from './activity';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { carriedMessage, CmppConnectionNode, correlationOf, finishSend, keptProperties, maxPartsOf, sendError, textToSend, requireConfig } from './shared';

interface CmppSubmitDef extends NodeDef {
  connection: string;
  to: string;
  message: string;
  encoding: Encoding | 'auto';
  registeredDelivery: boolean;
  srcId: string;
  serviceId: string;
  maxParts: string | number;
  keep: string;
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
    const keep = keptProperties(config.keep);
    const onCarried = (carried: cmpp.CarriedOver): void => {
      if (carried.origin !== node.id) return;
      if (carried.result.ok) node.send(carriedMessage(carried));
      else node.error(sendError(carried.result, 'CMPP'), carriedMessage(carried));
    };
    client.on('carried', onCarried);

    node.on('input', (msg: NodeMessage, send, done) => {
      const registered = typeof msg.registeredDelivery === 'boolean' ? msg.registeredDelivery : config.registeredDelivery !== false;
      const text = textToSend(msg, config.message);
      const key = activity(RED).accepted(config.connection, msg.to ?? config.to, text);
      const end = finishSend(node, done, 'cmpp-submit.status.failed');
      let outcome: cmpp.SendResult | undefined;
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
          srcId: (msg.srcId as string) || config.srcId || undefined,
          serviceId: (msg.serviceId as string) || config.serviceId || undefined,
          correlation: correlationOf(msg, keep),
          maxParts: maxPartsOf(config.maxParts),
          origin: node.id,
        })
        .then((result) => {
          outcome = result;
          if (!result.ok) {
            finish(sendError(result, 'CMPP'));
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

  RED.nodes.registerType('cmpp-submit', CmppSubmitNode);
};
