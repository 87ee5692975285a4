/**
 * What a config node that owns a shared connection does, whatever the
 * channel: it opens the connection for its first user, pushes the
 * connection's state to every user, and closes it when the last user is
 * removed or the config node itself stops. A user node that is only
 * redeployed (its settings changed, the connection's not) leaves the
 * connection up: it registers again a moment later, as core MQTT's nodes do.
 */
import { Node, NodeStatus } from './red';
import { Users } from './shared';

export interface ConnectionLifecycle<C> {
  open(): C;
  close(connection: C): Promise<void>;
}

export class SharedConnection<C> {
  readonly users = new Users();
  private connection?: C;
  private closing?: Promise<void>;

  constructor(private readonly lifecycle: ConnectionLifecycle<C>) {}

  get current(): C | undefined {
    return this.connection;
  }

  register(user: Node): C {
    this.users.add(user);
    if (!this.connection) this.connection = this.lifecycle.open();
    return this.connection;
  }

  /** A user stops; `removed` when it was deleted from the flow (not only redeployed). */
  async deregister(user: Node, removed = true): Promise<void> {
    if (this.users.remove(user) > 0 || !removed || !this.connection) return;
    await this.closeNow();
  }

  status(status: NodeStatus): void {
    this.users.status(status);
  }

  /** The config node stops: the connection closes, whoever still uses it. */
  closeNow(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    if (c) this.closing = this.lifecycle.close(c);
    return this.closing ?? Promise.resolve();
  }
}
