import * as fs from 'node:fs';
import * as os from 'node:os';
import type { imsp } from '../src/internal';
import { SmsError } from '../src/errors';
import { SharedConnection } from './connection';
import { openStore, StoreKind, watchStore } from './store';
import { editorKey, linkStatus } from './status';
import { activity } from './activity';
import type { store as stores } from '../src/internal';
import { ImspAccountNode } from './shared';
import { migrate } from './migrations';
import { Node, NodeAPI, NodeDef } from './red';
import { guardOf, serveGuard } from './policy';
import { core } from './core';

interface ImspAccountDef extends NodeDef {
  /** the sms-policy its sends go through ('' for none) */
  policy: string;
  baseUrl: string;
  account: string;
  method: 'POST' | 'GET';
  timeout: string | number;
  ca: string;
  pollInitial: string | number;
  pollDeadline: string | number;
  store: StoreKind;
  sidebarDetails: boolean;
}

/**
 * The CA setting: PEM text, or the path of a file that holds it (a PEM file,
 * or the simulators' certificate file, whose `cert` is taken); `~` is the
 * home directory.
 */
function caOf(setting: string | undefined): string | undefined {
  const value = setting?.trim();
  if (!value) return undefined;
  if (value.startsWith('-----BEGIN')) return value;
  const file = value.replace(/^~(?=$|[\\/])/, os.homedir());
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const hint = /imsp-simulator-certificate/.test(file) ? '; the simulators make it on their first start: run npx smsflow-simulators once' : '';
    throw new SmsError('IMSP_PARAM', `ca: neither a PEM certificate nor a file that can be read (${(err as Error).message})${hint}`, 'ca');
  }
  if (text.trimStart().startsWith('{')) return (JSON.parse(text) as { cert: string }).cert;
  return text;
}

export = function register(RED: NodeAPI): void {
  function ImspAccountNode(this: ImspAccountNode, saved: ImspAccountDef): void {
    RED.nodes.createNode(this, saved);
    const config = migrate(saved);
    const node = this;
    let store: stores.Store | undefined;
    let stopGuard = (): void => undefined;
    const shared = new SharedConnection<imsp.ImspClient>({
      open() {
        store = openStore(RED, node, 'imsp', { ...config, store: config.store === 'memory' ? 'memory' : 'sqlite' }, config.account || 'account', (from, to, reason) =>
          RED._('imsp-account.store.movedAside', { from, to, reason }),
        );
        const client = new core.imsp.ImspClient({
          store,
          baseUrl: config.baseUrl || core.imsp.DEFAULT_BASE_URL,
          account: config.account,
          password: node.credentials?.password ?? '',
          method: config.method === 'GET' ? 'GET' : 'POST',
          timeoutMs: (Number(config.timeout) || 30) * 1000,
          ca: caOf(config.ca),
          polling: { initialMs: (Number(config.pollInitial) || 5) * 1000, deadlineMs: (Number(config.pollDeadline) || 24) * 3600e3 },
        });
        client.on('error', (err) => node.warn(err.message));
        const kept = store;
        // An HTTPS account has no link to watch: it is ready unless its store cannot be written.
        const show = (): void => shared.status(kept.failure ? linkStatus('failed', editorKey('imsp-account', 'store.notWritable')) : linkStatus('ready', editorKey('imsp-account', 'status.ready')));
        watchStore(RED, node, 'imsp-account', kept, show);
        show();
        activity(RED).channel(node.id, 'imsp', config.name || config.account || 'IMSP', config.sidebarDetails === true);
        activity(RED).update(node.id, { state: 'ready' });
        client.on('report', (report) => activity(RED).report(node.id, report));
        // Reports still awaited before a restart: their polling resumes.
        node.guard = guardOf(RED, node, config.policy);
        stopGuard = serveGuard(
          node.guard,
          core.policy.policySender('imsp', 'imsp', (r) => client.send(r as unknown as imsp.ImspSendRequest)),
          client,
        );
        client.resume().catch((err) => node.warn((err as Error).message));
        return client;
      },
      async close(client) {
        stopGuard();
        client.close();
        await store?.close();
        store = undefined;
      },
    });

    node.register = (user: Node): imsp.ImspClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('imsp-account', ImspAccountNode, {
    credentials: { password: { type: 'password' } },
  });
};
