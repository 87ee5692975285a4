/**
 * Node settings carry the version of their shape (`configVersion`). A flow
 * saved by an older version of this package is brought up to date when its
 * nodes start: each step fills what that version added with the value that
 * keeps the old behaviour or is the new default. The editor writes the
 * current version into new and edited nodes.
 */
import { NodeDef } from './red';

export const CONFIG_VERSION = 2;

type Step = (config: NodeDef) => NodeDef;

const added =
  (defaults: Record<string, unknown>): Step =>
  (config) => ({ ...defaults, ...config });

/** per node type, the step from version n (index n - 1) to n + 1 */
export const MIGRATIONS: Record<string, Step[]> = {
  // 2: queue wait, fail at once, delivery after a drop, login retry, loose authenticator, trace
  'cmpp-connection': [
    added({
      queueTimeout: 60,
      failWhenDown: false,
      delivery: 'at-least-once',
      loginRetry: 5,
      looseAuthenticator: false,
      trace: false,
      store: 'sqlite',
      redisUrl: '',
      sidebarDetails: false,
      links: 1,
      ratePerLink: 0,
    }),
  ],
  // 2: message storage, queue wait, fail at once
  'modem-port': [added({ storage: 'SM', queueTimeout: 60, failWhenDown: false, store: 'sqlite', sidebarDetails: false })],
  // 2: the store
  'imsp-account': [added({ store: 'sqlite', sidebarDetails: false })],
  // 2: the SMS limit per message
  'cmpp-submit': [added({ maxParts: 10, keep: '' })],
  'imsp-send': [added({ maxParts: 10 })],
  'modem-pdu': [added({ maxParts: 10 })],
};

/** The settings in the current shape; a version newer than this package knows is left as it is. */
export function migrate<D extends NodeDef>(config: D): D {
  const steps = MIGRATIONS[config.type] ?? [];
  let version = Number(config.configVersion ?? 1);
  if (!Number.isInteger(version) || version < 1) version = 1;
  let out: NodeDef = config;
  while (version < CONFIG_VERSION) {
    const step = steps[version - 1];
    if (step) out = step(out);
    version++;
  }
  return (version === Number(config.configVersion) ? config : { ...out, configVersion: version }) as D;
}
