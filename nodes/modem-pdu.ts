import type { DeliveryReport, Encoding, modem } from '../src/internal';
import { registerAdminRoutes } from './admin';
import { activity } from './activity';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { answerAction, sendGuarded } from './policy';
import { carriedOutcome, correlationOf, finishSend, maxPartsOf, ModemPortNode, reportMessage, sendError, textToSend, requireConfig } from './shared';
import { editorKey } from './status';

interface ModemPduDef extends NodeDef {
  modem: string;
  to: string;
  message: string;
  encoding: Encoding | 'auto';
  statusReport: boolean;
  validity: string | number;
  receive: boolean;
  maxParts: string | number;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function ModemPduNode(this: Node, saved: ModemPduDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const port = requireConfig<ModemPortNode>(RED, node, config.modem, 'modem-pdu.status.noModem', 'modem-pdu.errors.noModem', 'modem');
    if (!port) return;
    let device: modem.Modem;
    try {
      device = port.register(node);
    } catch (err) {
      // Another modem-port holds the port: every msg is answered with why.
      node.status({ fill: 'red', shape: 'ring', text: editorKey('modem-pdu', 'status.portInUse') });
      node.error((err as Error).message);
      node.on('input', (_msg, _send, done) => done(err as Error));
      return;
    }
    const onMessage = (sms: modem.ModemIncoming): void => node.send([null, { payload: sms.payload, from: sms.from, to: sms.to, sms: sms.sms }, null]);
    const onReport = (report: DeliveryReport): void => {
      if ((report.correlation as { node?: string } | undefined)?.node !== node.id) return;
      node.send([null, null, reportMessage(report)]);
    };
    if (config.receive !== false) device.on('message', onMessage);
    device.on('report', onReport);
    const guard = port.guard;
    const onHeldCarried = carriedOutcome(RED, node, 'MODEM', (msg) => node.send([msg, null, null]));
    guard?.policy.on('carried', onHeldCarried);

    node.on('input', (msg: NodeMessage, send, done) => {
      if (answerAction(guard, msg, msg.to ?? config.to, (m) => send([m, null, null]), done)) return;
      const statusReport = typeof msg.statusReport === 'boolean' ? msg.statusReport : config.statusReport !== false;
      const text = textToSend(msg, config.message);
      const key = activity(RED).accepted(config.modem, msg.to ?? config.to, text);
      const end = finishSend(node, done, 'modem-pdu.status.failed');
      let outcome: modem.ModemSendResult | undefined;
      const finish = (err?: Error): void => {
        activity(RED).sent(key, config.modem, outcome, err, statusReport);
        end(err);
      };
      const request: modem.ModemSendRequest = {
        to: (msg.to ?? config.to) as string | string[],
        payload: text,
        encoding: (msg.encoding as Encoding) || config.encoding || 'auto',
        statusReport,
        validityMinutes: Number(msg.validity ?? config.validity) || undefined,
        flash: msg.flash === true,
        correlation: { ...correlationOf(msg), node: node.id },
        maxParts: maxPartsOf(config.maxParts),
      };
      sendGuarded(guard, request, msg, node.id, (r) => device.send(r)).then((result) => {
        outcome = result;
        if (!result.ok) {
          finish(sendError(result, 'MODEM', RED));
          return;
        }
        msg.payload = result;
        send([msg, null, null]);
        finish();
      }, finish);
    });

    node.on('close', (removed: boolean, done: () => void) => {
      guard?.policy.off('carried', onHeldCarried);
      device.off('message', onMessage);
      device.off('report', onReport);
      port.deregister(node, removed).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('modem-pdu', ModemPduNode);
};
