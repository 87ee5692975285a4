/**
 * The slice of Node-RED's runtime API the nodes use. Typed here so that the
 * package needs no Node-RED types at build time; `src/` never sees any of it.
 */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type Done = (err?: Error) => void;

export interface Node {
  id: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', listener: (msg: NodeMessage, send: Send, done: Done) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

type Handler = (req: unknown, res: unknown, next: () => void) => void;
interface JsonResponse {
  json(body: unknown): void;
  status(code: number): JsonResponse;
  set(header: string, value: string): JsonResponse;
  send(body: string): void;
}

/** an admin request: the path's parameters, the query, the JSON body */
export interface AdminRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface NodeAPI {
  settings: { userDir?: string };
  /** pushes to the editors over their own connection (absent in some test runtimes) */
  comms?: { publish(topic: string, data: unknown, retain?: boolean): void };
  nodes: {
    createNode(node: Node, config: NodeDef): void;
    registerType<D extends NodeDef, N extends Node = Node>(type: string, constructor: (this: N, config: D) => void, options?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
    getNode(id: string): Node | null;
  };
  util: {
    cloneMessage<T extends NodeMessage>(msg: T): T;
  };
  _(key: string, substitutions?: Record<string, string | number>): string;
  httpAdmin: {
    get(path: string, permission: Handler, handler: (req: AdminRequest, res: JsonResponse) => void): void;
    post(path: string, permission: Handler, handler: (req: AdminRequest, res: JsonResponse) => void): void;
  };
  auth: {
    needsPermission(permission: string): Handler;
  };
}
