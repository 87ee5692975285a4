/**
 * sms status: what became of a message, asked of the history of the
 * sms-policy it names: accepted, held, refused or suppressed and why, sent
 * per recipient and part with the carrier's ids, and what the carrier
 * reported. Found by the policy's key, a carrier's id, or the
 * msg.correlation the message was sent with.
 */
import type { policy } from '../src/internal';
import { SmsError } from '../src/errors';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { SmsPolicyNode } from './policy';
import { editorKey } from './status';

interface SmsStatusDef extends NodeDef {
  policy: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the msg asks for: msg.key, msg.id, msg.correlation, a send result in msg.payload, or a key or id as msg.payload. */
function queryOf(msg: NodeMessage): policy.HistoryQuery | undefined {
  const { key, id, correlation, payload } = msg as { key?: unknown; id?: unknown; correlation?: unknown; payload?: unknown };
  if (typeof key === 'string' && key.trim()) return { key: key.trim() };
  if ((typeof id === 'string' && id.trim()) || typeof id === 'number') return { id: String(id).trim() };
  if (correlation !== undefined && correlation !== null) return { tag: correlation };
  if (payload && typeof payload === 'object' && typeof (payload as { key?: unknown }).key === 'string') return { key: (payload as { key: string }).key };
  if (typeof payload === 'string' && payload.trim()) return UUID.test(payload.trim()) ? { key: payload.trim() } : { id: payload.trim() };
  return undefined;
}

export = function register(RED: NodeAPI): void {
  function SmsStatus(this: Node, config: SmsStatusDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    node.on('input', (msg: NodeMessage, send, done) => {
      const owner = RED.nodes.getNode(config.policy) as SmsPolicyNode | null;
      if (!owner?.policy) {
        done(new SmsError('SMS_FIELD', RED._('sms-status.errors.noPolicy'), 'policy'));
        return;
      }
      const query = queryOf(msg);
      if (!query) {
        done(new SmsError('SMS_FIELD', RED._('sms-status.errors.noQuery'), 'key'));
        return;
      }
      owner.policy.status(query).then((found) => {
        if (!found.length) {
          node.status({ fill: 'grey', shape: 'ring', text: editorKey('sms-status', 'status.notFound') });
          const what = query.key ? `key ${query.key}` : query.id ? `id ${query.id}` : `correlation ${JSON.stringify(query.tag)}`;
          done(new SmsError('SMS_NOT_FOUND', RED._('sms-status.errors.notFound', { what })));
          return;
        }
        msg.payload = found[0];
        if (found.length > 1) msg.statuses = found;
        node.status({ fill: found[0].state === 'failed' || found[0].state === 'refused' ? 'red' : 'green', shape: 'dot', text: editorKey('sms-status', `state.${found[0].state}`) });
        send(msg);
        done();
      }, done);
    });
  }
  RED.nodes.registerType('sms-status', SmsStatus);
};
