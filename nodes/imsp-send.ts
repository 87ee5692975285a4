import type { DeliveryReport, Encoding, imsp } from '../src/internal';
import { SmsError } from '../src/errors';
import { registerAdminRoutes } from './admin';
import { activity } from './activity';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { answerAction, sendGuarded } from './policy';
import { carriedOutcome, correlationOf, finishSend, ImspAccountNode, maxPartsOf, reportMessage, sendError, textToSend, requireConfig } from './shared';
import { statusOf, editorKey } from './status';

interface ImspSendDef extends NodeDef {
  account: string;
  to: string;
  message: string;
  encoding: Encoding | 'auto';
  msgType: string;
  destPort: string;
  expire: string | number;
  track: boolean;
  maxParts: string | number;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function ImspSendNode(this: Node, saved: ImspSendDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    const account = requireConfig<ImspAccountNode>(RED, node, config.account, 'imsp-send.status.noAccount', 'imsp-send.errors.noAccount', 'account');
    if (!account) return;
    let client: imsp.ImspClient;
    try {
      client = account.register(node);
    } catch (err) {
      node.status({ fill: 'red', shape: 'ring', text: editorKey('imsp-send', 'status.badAccount') });
      node.error((err as Error).message);
      node.on('input', (_msg, _send, done) => done(err as Error));
      return;
    }
    const onReport = (report: DeliveryReport): void => {
      const c = report.correlation as { node?: string } | undefined;
      if (c?.node !== node.id) return;
      node.send([null, reportMessage(report)]);
    };
    client.on('report', onReport);
    const guard = account.guard;
    const onHeldCarried = carriedOutcome(RED, node, 'IMSP', (msg) => node.send([msg, null]));
    guard?.policy.on('carried', onHeldCarried);

    node.on('input', (msg: NodeMessage, send, done) => {
      const end = finishSend(node, done, 'imsp-send.status.failed');
      const finish = (err?: Error): void => {
        if (!err) send([msg, null]);
        end(err);
      };
      if (answerAction(guard, msg, msg.to ?? config.to, (m) => send([m, null]), done)) return;
      if (msg.action === 'changePassword') {
        client.changePassword(String(msg.payload)).then((r) => {
          if (!r.ok) {
            finish(new SmsError(`IMSP_${r.code}`, `IMSP ChangePasswd: ${r.meaning} (${r.code} ${r.description})`));
            return;
          }
          msg.payload = r;
          finish();
        }, finish);
        return;
      }
      const msgType = Number(msg.msgType ?? config.msgType ?? 0) as 0 | 1 | 2 | 3;
      const track = typeof msg.track === 'boolean' ? msg.track : config.track === true;
      const text = textToSend(msg, config.message);
      const key = activity(RED).accepted(config.account, msg.to ?? config.to, text);
      let outcome: imsp.ImspSendResult | undefined;
      const settle = (err?: Error): void => {
        activity(RED).sent(key, config.account, outcome, err, track);
        finish(err);
      };
      const request: imsp.ImspSendRequest = {
        to: (msg.to ?? config.to) as string | string[],
        payload: text,
        encoding: (msg.encoding as Encoding) || config.encoding || 'auto',
        msgType,
        destPort: (msg.destPort as string) ?? (config.destPort || undefined),
        expireMinutes: Number(msg.expire ?? config.expire ?? 0),
        track,
        correlation: { ...correlationOf(msg), node: node.id },
        maxParts: maxPartsOf(config.maxParts),
      };
      sendGuarded(guard, request, msg, node.id, (r) => client.send(r)).then((result) => {
        outcome = result;
        if (!result.ok) {
          settle(sendError(result, 'IMSP', RED));
          return;
        }
        msg.payload = result;
        settle();
      }, settle);
    });

    node.on('close', (removed: boolean, done: () => void) => {
      statusOf(node).stop();
      guard?.policy.off('carried', onHeldCarried);
      client.off('report', onReport);
      account.deregister(node, removed).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('imsp-send', ImspSendNode);
};
