/**
 * The core's parts, each loaded when a node first uses it: Node-RED loads
 * every node file of the package when it starts, and a flow uses one or two
 * channels, or none. Types come from '../src/internal' (`import type`);
 * what runs comes from here (`core.cmpp.CmppClient`).
 */
import type * as Internal from '../src/internal';

type Part = 'text' | 'store' | 'cmpp' | 'smpp' | 'imsp' | 'pdu' | 'modem' | 'route' | 'policy';
type Core = Pick<typeof Internal, Exclude<Part, 'text'>> & { text: typeof import('../src/text') };

const paths: Record<Part, string> = {
  text: '../src/text',
  store: '../src/store',
  cmpp: '../src/cmpp',
  smpp: '../src/smpp',
  imsp: '../src/imsp',
  pdu: '../src/pdu',
  modem: '../src/modem',
  route: '../src/route',
  policy: '../src/policy',
};

export const core = {} as Core;
for (const [part, path] of Object.entries(paths)) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required when first used, not at the top
  Object.defineProperty(core, part, { enumerable: true, get: () => require(path) as unknown });
}
