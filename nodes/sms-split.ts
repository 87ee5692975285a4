import type { Encoding, Segmentation, SmsPart, Target } from '../src/internal';
import { textOf } from '../src/text-of';
import { registerAdminRoutes } from './admin';
import { editorKey } from './status';
import { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { core } from './core';

interface SmsSplitDef extends NodeDef {
  target: Target;
  encoding: Encoding | 'auto';
  referenceBits: '8' | '16';
  output: 'parts' | 'all';
}

interface SplitPart {
  part: number;
  total: number;
  text?: string;
  /** the user data header as hex, '' when there is none */
  udh: string;
  /** what the target carries for this part: header then encoded text */
  bytes: Buffer;
  /** IMSP only: `bytes` as the hex string its msg parameter takes */
  hex?: string;
  /** units of text in the part: septets for GSM 7-bit, else octets */
  length: number;
}

interface SplitResult {
  target: Target;
  encoding: Encoding;
  code: number;
  count: number;
  reference?: number;
  referenceBits: 8 | 16;
  parts: SplitPart[];
}

function describePart(p: SmsPart, s: Segmentation): SplitPart {
  const out: SplitPart = { part: p.number, total: p.total, text: p.text, udh: p.udh.toString('hex').toUpperCase(), bytes: p.userData, length: p.length };
  if (s.target === 'imsp') out.hex = p.userData.toString('hex').toUpperCase();
  return out;
}

export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);
  function SmsSplitNode(this: Node, config: SmsSplitDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const defaults = {
      target: config.target || 'generic',
      encoding: config.encoding || 'auto',
      referenceBits: config.referenceBits === '16' ? 16 : 8,
      output: config.output === 'all' ? 'all' : 'parts',
    } as const;

    node.on('input', (msg: NodeMessage, send, done) => {
      let result: Segmentation;
      try {
        const bits = msg.referenceBits === undefined ? defaults.referenceBits : Number(msg.referenceBits);
        result = core.text.segment(msg.payload as string | Buffer, {
          target: (msg.target as Target) || defaults.target,
          encoding: (msg.encoding as Encoding) || defaults.encoding,
          referenceBits: bits as 8 | 16,
          reference: typeof msg.reference === 'number' ? msg.reference : undefined,
          to: Array.isArray(msg.to) ? textOf(msg.to[0]) : textOf(msg.to),
        });
      } catch (err) {
        node.status({ fill: 'red', shape: 'ring', text: editorKey('sms-split', 'status.error') });
        done(err as Error);
        return;
      }
      // A single SMS has no concatenation reference: the key is left out rather than shown as undefined.
      const summary: Omit<SplitResult, 'parts'> = {
        target: result.target,
        encoding: result.encoding,
        code: result.code,
        count: result.count,
        referenceBits: result.referenceBits,
      };
      if (result.reference !== undefined) summary.reference = result.reference;
      const parts = result.parts.map((p) => describePart(p, result));
      node.status({ fill: 'green', shape: 'dot', text: editorKey('sms-split', 'status.parts', { count: result.count, encoding: result.encoding }) });
      if (defaults.output === 'all') {
        msg.payload = { ...summary, parts } satisfies SplitResult;
        send(msg);
      } else {
        send([
          parts.map((part, i) => {
            const out = i === parts.length - 1 ? msg : RED.util.cloneMessage(msg);
            out.payload = { ...summary, ...part };
            return out;
          }),
        ]);
      }
      done();
    });
  }
  RED.nodes.registerType('sms-split', SmsSplitNode);
};
