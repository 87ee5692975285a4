/**
 * The store a config node keeps its state in, as its settings choose:
 * SQLite in a file under the Node-RED user directory (the default; the file
 * is named after the node so that a user can find it), Redis shared by
 * several Node-RED instances, or memory (lost on every restart and deploy).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { store as stores } from '../src/internal';
import { Node, NodeAPI } from './red';
import { core } from './core';

export type StoreKind = 'sqlite' | 'redis' | 'memory';

export interface StoreSettings {
  store?: StoreKind | '';
  redisUrl?: string;
  name?: string;
}

/** The file a SQLite store of this node lives in. */
export function storeFile(RED: NodeAPI, node: Node, type: string, settings: StoreSettings, label: string): string {
  const dir = path.join(RED.settings.userDir || path.join(os.homedir(), '.node-red'), 'smsflow');
  const name = (settings.name || label).replace(/[^\w.-]+/g, '_').slice(0, 40);
  return path.join(dir, `${type}-${name}-${node.id}.sqlite`);
}

/** The Redis URL a node's settings give, with the password from its credentials (never in the flow file). */
export function redisUrlOf(node: Node, setting: string | undefined): string {
  const url = new URL(setting || 'redis://127.0.0.1:6379');
  const password = (node.credentials as { redisPassword?: string } | undefined)?.redisPassword;
  if (password) url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * `movedAside` says, in the node's language, that a damaged file was moved
 * aside; `account` names the carrier account (instances that share it share
 * its Redis keys).
 */
export function openStore(RED: NodeAPI, node: Node, type: string, settings: StoreSettings, account: string, movedAside: (from: string, to: string, reason: string) => string): stores.Store {
  const kind = settings.store || 'sqlite';
  if (kind === 'memory') return new core.store.MemoryStore();
  if (kind === 'redis') {
    return new core.store.RedisStore({
      url: redisUrlOf(node, settings.redisUrl),
      prefix: `smsflow:${type}:${account}`,
      instance: `${os.hostname()}:${RED.settings.userDir ?? ''}:${node.id}`,
      onError: (err) => node.warn(err.message),
    });
  }
  return new core.store.SqliteStore({
    file: storeFile(RED, node, type, settings, account),
    onMovedAside: (from, to, why) => node.error(movedAside(from, to, why.message)),
  });
}

/**
 * Says in the log, once each way, when the store stops writing (why, and
 * which file) and when it writes again, and calls `changed` so that the
 * connection's status can show it (`set` names the node's texts).
 */
export function watchStore(RED: NodeAPI, node: Node, set: string, store: stores.Store, changed: () => void): void {
  if (store.failure) {
    // It could not open: said, and shown, before any send.
    node.error(store.failure.message);
    changed();
  }
  store.watchHealth?.((failure) => {
    if (failure) node.error(failure.message);
    else node.log(RED._(`${set}.store.writable`, { file: store.location }));
    changed();
  });
}
