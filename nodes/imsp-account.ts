import { imsp } from '../src';
import { ImspAccountNode } from './shared';
import { Node, NodeAPI, NodeDef } from './red';

interface ImspAccountDef extends NodeDef {
  baseUrl: string;
  account: string;
  method: 'POST' | 'GET';
  timeout: string | number;
  ca: string;
  pollInitial: string | number;
  pollDeadline: string | number;
}

export = function register(RED: NodeAPI): void {
  function ImspAccountNode(this: ImspAccountNode, config: ImspAccountDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let client: imsp.ImspClient | undefined;
    const users = new Set<Node>();

    node.register = (user: Node): imsp.ImspClient => {
      users.add(user);
      if (!client) {
        client = new imsp.ImspClient({
          baseUrl: config.baseUrl || imsp.DEFAULT_BASE_URL,
          account: config.account,
          password: node.credentials?.password ?? '',
          method: config.method === 'GET' ? 'GET' : 'POST',
          timeoutMs: (Number(config.timeout) || 30) * 1000,
          ca: config.ca?.trim() ? config.ca : undefined,
          polling: { initialMs: (Number(config.pollInitial) || 5) * 1000, deadlineMs: (Number(config.pollDeadline) || 24) * 3600e3 },
        });
        client.on('error', (err) => node.warn(err.message));
      }
      return client;
    };

    node.deregister = (user: Node): void => {
      users.delete(user);
      if (users.size === 0 && client) {
        client.close();
        client = undefined;
      }
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      client?.close();
      client = undefined;
      done();
    });
  }

  RED.nodes.registerType('imsp-account', ImspAccountNode, {
    credentials: { password: { type: 'password' } },
  });
};
