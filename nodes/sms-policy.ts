/**
 * The sms-policy config node: the rules that keep alerts readable (a limit
 * per number, duplicates, quiet hours, opt-out), with their state in the
 * store it names. Connections, accounts, modems and routes that name it put
 * every send through it, and it reads what their phones send for STOP and START.
 * The editor reads and changes its opt-out list through admin endpoints.
 */
import type { policy } from '../src/internal';
import { textOf } from '../src/text-of';
import { activity } from './activity';
import { AdminRequest, NodeAPI, NodeDef } from './red';
import { numberSetting } from './shared';
import { SmsPolicyNode, usePolicyTexts } from './policy';
import { redisUrlOf, storeFile, StoreKind } from './store';
import { core } from './core';

interface SmsPolicyDef extends NodeDef {
  /** the home country's calling code; blank: numbers compared by their last 9 digits */
  country?: string;
  limitCount: string | number;
  /** minutes */
  limitWindow: string | number;
  limitUnit: 'messages' | 'parts';
  limitOver: 'refuse' | 'hold';
  /** minutes; 0 off */
  duplicateWindow: string | number;
  quietFrom: string;
  quietTo: string;
  timeZone: string;
  /** one per line: prefix time-zone */
  zones: string;
  quietDuring: 'hold' | 'refuse';
  urgentPasses: boolean;
  keywords: boolean;
  stopWords: string;
  startWords: string;
  stopReply: string;
  startReply: string;
  store: StoreKind;
  redisUrl: string;
  /** days each message's story is kept for sms status and the sidebar; 0: none */
  historyDays: string | number;
  /** messages kept at most */
  historyMax: string | number;
}

const MINUTE = 60000;
const DAY = 24 * 60 * MINUTE;

/** the deployed policies, for the sidebar */
const deployed = new Map<string, SmsPolicyNode>();

/** "+886 Asia/Taipei" lines as the quiet hours' zones by prefix. */
function zonesOf(setting: string | undefined): Array<{ prefix: string; timeZone: string }> {
  return (setting ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words.length === 2)
    .map(([prefix, timeZone]) => ({ prefix, timeZone }));
}

export = function register(RED: NodeAPI): void {
  usePolicyTexts(RED._.bind(RED));
  function SmsPolicy(this: SmsPolicyNode, config: SmsPolicyDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const kind = config.store || 'sqlite';
    let store: policy.PolicyStore;
    if (kind === 'memory') store = new core.policy.MemoryPolicyStore();
    else if (kind === 'redis') store = new core.policy.RedisPolicyStore({ url: redisUrlOf(node, config.redisUrl), prefix: `smsflow:policy:${node.id}`, onError: (err) => node.warn(err.message) });
    else {
      store = new core.policy.SqlitePolicyStore({
        file: storeFile(RED, node, 'policy', config, 'policy'),
        onError: (err) => (err ? node.error(err.message) : node.log(RED._('sms-policy.store.writable'))),
      });
    }
    const count = numberSetting(config.limitCount, 0);
    try {
      node.policy = new core.policy.Policy({
        country: config.country,
        limit: count > 0 ? { count, windowMs: numberSetting(config.limitWindow, 60) * MINUTE, unit: config.limitUnit, over: config.limitOver } : undefined,
        duplicateWindowMs: numberSetting(config.duplicateWindow, 10) * MINUTE,
        quietHours:
          config.quietFrom && config.quietTo
            ? { from: config.quietFrom, to: config.quietTo, timeZone: config.timeZone || undefined, zones: zonesOf(config.zones), during: config.quietDuring }
            : undefined,
        urgentPasses: config.urgentPasses !== false,
        history: numberSetting(config.historyDays, 7) > 0 ? { keepMs: numberSetting(config.historyDays, 7) * DAY, max: Math.round(numberSetting(config.historyMax, 100000)) } : false,
        keywords: { enabled: config.keywords !== false, stop: config.stopWords, start: config.startWords, stopReply: config.stopReply, startReply: config.startReply },
        store,
      });
    } catch (err) {
      // Settings the editor let through (an import): said, and no policy rather than a wrong one.
      node.error((err as Error).message);
      return;
    }
    deployed.set(node.id, node);
    node.policy.on('error', (err: Error) => node.warn(err.message));
    node.policy.on('carried', (carried: policy.CarriedHeld) => {
      if (!carried.origin || !RED.nodes.getNode(carried.origin)) node.warn(RED._('sms-policy.warn.carriedOrphan', { ok: String(carried.result.ok), to: carried.result.to.join(',') }));
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      if (deployed.get(node.id) === node) deployed.delete(node.id);
      node.policy.close().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('sms-policy', SmsPolicy, { credentials: { redisPassword: { type: 'password' } } });
  registerPolicyRoutes(RED);
};

/** The opt-out list in the editor: read (JSON or CSV), add, remove. */
const served = new WeakSet<object>();

function registerPolicyRoutes(RED: NodeAPI): void {
  if (served.has(RED.httpAdmin)) return;
  served.add(RED.httpAdmin);
  type Res = Parameters<Parameters<NodeAPI['httpAdmin']['get']>[2]>[1];
  /** the policy of the deployed node the path names, or a 404 saying it is not deployed */
  const serve = (res: Res, req: AdminRequest, work: (p: policy.Policy) => Promise<unknown>): void => {
    const p = (RED.nodes.getNode(req.params.id) as SmsPolicyNode | null)?.policy;
    if (!p) return void res.status(404).json({ error: RED._('sms-policy.errors.notDeployed') });
    work(p).then(
      (body) => (typeof body === 'string' ? res.set('Content-Type', 'text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="opt-outs.csv"').send(body) : res.json(body)),
      (err: Error & { code?: string }) => res.status(400).json({ error: err.message, code: err.code }),
    );
  };
  RED.httpAdmin.get('/smsflow/policy/:id/optouts', RED.auth.needsPermission('flows.read'), (req, res) => serve(res, req, async (p) => ({ list: await p.optOuts(), counters: await p.counters() })));
  RED.httpAdmin.get('/smsflow/policies', RED.auth.needsPermission('flows.read'), (_req, res) => {
    Promise.all([...deployed.values()].map(async (n) => ({ id: n.id, name: n.name || RED._('sms-policy.paletteLabel'), counters: await n.policy.counters() }))).then(
      (list) => res.json(list),
      (err: Error) => res.status(500).json({ error: err.message }),
    );
  });
  // The latest messages, or those whose number, carrier id or text holds ?q=; numbers and texts cut short as the sidebar shows them.
  RED.httpAdmin.get('/smsflow/policy/:id/history', RED.auth.needsPermission('flows.read'), (req, res) =>
    serve(res, req, async (p) =>
      (await p.search(textOf(req.query.q), 20)).map((m) => {
        const shown = activity(RED).shown(m.via, m.to, m.text);
        // The recipients are in the order of `to`.
        const recipients = m.recipients.map((r, i) => ({ ...r, to: shown.to[i] }));
        return { ...m, to: shown.to, text: shown.text, recipients, correlation: undefined };
      }),
    ),
  );
  RED.httpAdmin.get('/smsflow/policy/:id/optouts.csv', RED.auth.needsPermission('flows.read'), (req, res) => serve(res, req, (p) => p.optOutCsv()));
  RED.httpAdmin.post('/smsflow/policy/:id/optouts', RED.auth.needsPermission('flows.write'), (req, res) =>
    serve(res, req, async (p) => {
      const number = textOf(req.body?.number);
      return req.body?.action === 'optIn' ? { removed: await p.optIn(number) } : p.optOut(number, 'editor');
    }),
  );
}
