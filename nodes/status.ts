/**
 * What a node shows under it. Two sources meet here: the link or port its
 * config node reports (connected, reopening...), and the node's own last
 * send, whose failure stays on show (red ring, the reason) until the next
 * success. Updates are throttled to at most four a second, the last always
 * shown, so that a busy flow does not flood the editor.
 */
import { Node, NodeStatus } from './red';

const MIN_INTERVAL_MS = 250;

export class StatusView {
  private linkStatus: NodeStatus = {};
  private failure?: NodeStatus;
  private shown?: string;
  private lastAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly node: Node) {}

  /** The state of the link or port the node uses (from its config node). */
  link(status: NodeStatus): void {
    this.linkStatus = status;
    this.render();
  }

  /** The node's last send failed: show why until a send succeeds. */
  failed(text: string): void {
    this.failure = { fill: 'red', shape: 'ring', text };
    this.render();
  }

  succeeded(): void {
    if (!this.failure) return;
    this.failure = undefined;
    this.render();
  }

  /** Stops a pending update (the node is closing). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private render(): void {
    if (this.timer) return; // the trailing update will show the latest
    const wait = this.lastAt + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.render();
      }, wait);
      this.timer.unref?.();
      return;
    }
    const status = this.failure ?? this.linkStatus;
    const key = JSON.stringify(status);
    if (key === this.shown) return;
    this.shown = key;
    this.lastAt = Date.now();
    this.node.status(status);
  }
}

const views = new WeakMap<Node, StatusView>();

/** The one status view of a node, shared by the node and its config node. */
export function statusOf(node: Node): StatusView {
  let view = views.get(node);
  if (!view) {
    view = new StatusView(node);
    views.set(node, view);
  }
  return view;
}

/** One picture per state of a link or port, the same on every channel. */
const PICTURES: Record<string, Pick<NodeStatus, 'fill' | 'shape'> | undefined> = {
  connecting: { fill: 'yellow', shape: 'ring' },
  opening: { fill: 'yellow', shape: 'ring' },
  connected: { fill: 'green', shape: 'dot' },
  ready: { fill: 'green', shape: 'dot' },
  degraded: { fill: 'yellow', shape: 'dot' },
  disconnected: { fill: 'red', shape: 'ring' },
  reopening: { fill: 'red', shape: 'ring' },
  failed: { fill: 'red', shape: 'ring' },
};

/** The status for a link's state, with its text (already translated or a key the editor translates). */
export function linkStatus(state: string, text: string): NodeStatus {
  const picture = PICTURES[state];
  return picture ? { ...picture, text } : {};
}

/** this package's name: node sets are `<module>/<node file>` */
const MODULE = '@smsflow/node-red-sms';

/**
 * A status text the editor translates into its user's language: the full
 * key `<node set>:<key>`, for a text without values. (A text with a value, a
 * queue depth or a code, is translated where it is made.)
 */
export function editorKey(set: string, key: string, values?: Record<string, string | number>): string {
  const full = `${MODULE}/${set}:${set}.${key}`;
  // Node-RED passes a status's text alone and translates it without values: the
  // package's editor plugin translates `<key>|<values>` with them.
  return values ? `${full}|${JSON.stringify(values)}` : full;
}
