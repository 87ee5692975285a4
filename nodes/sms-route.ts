/**
 * The sms-route config node: rules over the package's channel config nodes
 * (cmpp-connection, smpp-connection, imsp-account, modem-port). It opens
 * them as their user when its first sms send or sms receive starts, routes
 * every send through the core's router, goes on with messages a channel
 * carried over a restart, and shows which channel is in use.
 */
import { EventEmitter } from 'node:events';
import type { cmpp, DeliveryReport, imsp, modem, route, smpp } from '../src/internal';
import { SmsError } from '../src/errors';
import { activity } from './activity';
import { SharedConnection } from './connection';
import { Node, NodeAPI, NodeDef } from './red';
import { guardOf, serveGuard } from './policy';
import { CmppConnectionNode, ImspAccountNode, ModemPortNode, numberSetting, RouteClient, SmppConnectionNode, SmsRouteNode } from './shared';
import { editorKey, linkStatus } from './status';
import { redisUrlOf } from './store';
import { core } from './core';

interface RuleSetting {
  /** comma or space separated; blank: any number */
  prefixes: string;
  strategy: route.Strategy;
  channels: Array<{ channel: string; weight?: string | number; price?: string | number }>;
}

interface SmsRouteDef extends NodeDef {
  rules: RuleSetting[];
  /** codes that move a message on, comma separated; blank: the defaults */
  failOverOn: string;
  failOverUncertain: boolean;
  /** seconds a channel that failed waits, once back, before it is used again */
  revert: string | number;
  /** where failures and the round robin's turn are kept: this instance, or Redis for several */
  state: 'memory' | 'redis';
  redisUrl: string;
  /** the sms-policy its sends go through ('' for none) */
  policy: string;
}

type ChannelNode = (CmppConnectionNode | SmppConnectionNode | ImspAccountNode | ModemPortNode) & { type: string; name?: string };

/** Each kind of channel config node: how its client becomes a route channel. */
const CHANNELS: Record<string, (id: string, name: string, client: unknown) => route.RouteChannel> = {
  'cmpp-connection': (id, name, client) => core.route.cmppChannel(id, name, client as cmpp.CmppClient),
  'smpp-connection': (id, name, client) => core.route.smppChannel(id, name, client as smpp.SmppClient),
  'imsp-account': (id, name, client) => core.route.imspChannel(id, name, client as imsp.ImspClient),
  'modem-port': (id, name, client) => core.route.modemChannel(id, name, client as modem.Modem),
};

export = function register(RED: NodeAPI): void {
  function SmsRouteNode(this: SmsRouteNode, config: SmsRouteDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const label = config.name || RED._('sms-route.paletteLabel');
    let used: ChannelNode[] = [];
    const stops: Array<() => void> = [];
    // Closed because its last user was removed (its channels may close too), or because the route itself stops.
    let removedWith = true;

    const shared: SharedConnection<RouteClient> = new SharedConnection<RouteClient>({
      open() {
        const ids = [...new Set((config.rules ?? []).flatMap((r) => (r.channels ?? []).map((c) => c.channel)))];
        const channels: route.RouteChannel[] = [];
        const sources = new Map<string, EventEmitter>();
        used = [];
        for (const id of ids) {
          const channelNode = RED.nodes.getNode(id) as ChannelNode | null;
          const make = channelNode ? CHANNELS[channelNode.type] : undefined;
          if (!channelNode || !make) throw new SmsError('SMS_FIELD', RED._('sms-route.errors.noChannel', { id }), 'rules');
          const channelClient = channelNode.register(node);
          used.push(channelNode);
          sources.set(id, channelClient);
          channels.push(make(id, channelNode.name || channelNode.type, channelClient));
        }
        const router = new core.route.Router(channels, {
          id: node.id,
          rules: (config.rules ?? []).map((r) => ({ prefixes: String(r.prefixes ?? '').split(/[\s,;]+/), strategy: r.strategy, channels: r.channels })),
          failOverOn: String(config.failOverOn ?? '').trim() ? config.failOverOn : undefined,
          failOverUncertain: config.failOverUncertain === true,
          revertMs: numberSetting(config.revert, 60) * 1000,
          state: config.state === 'redis' ? redisState() : undefined,
        });
        const client = new RouteClient(router);
        activity(RED).channel(node.id, 'route', label, false);
        for (const [id, source] of sources) stops.push(...follow(client, id, source));
        node.guard = guardOf(RED, node, config.policy);
        stops.push(
          serveGuard(
            node.guard,
            core.policy.policySender('route', 'generic', (r) => router.send(r as unknown as route.RouteSend)),
            client,
          ),
        );
        const show = (): void => showRoute(router);
        let pending: NodeJS.Immediate | undefined;
        router.on('change', () => {
          pending ??= setImmediate(() => {
            pending = undefined;
            show();
          });
        });
        show();
        return client;
      },
      async close(client) {
        client.router.close();
        await client.router.state.close();
        for (const stop of stops.splice(0)) stop();
        const channels = used;
        used = [];
        await Promise.all(channels.map((c) => c.deregister(node, removedWith)));
      },
    });

    /** The route's state in Redis, shared by every instance that runs this flow; a fault is logged once a minute at most. */
    function redisState(): route.RedisRouteState {
      let warnedAt = 0;
      return new core.route.RedisRouteState({
        url: redisUrlOf(node, config.redisUrl),
        key: `smsflow:route:${node.id}`,
        onError: (err) => {
          if (Date.now() - warnedAt < 60000) return;
          warnedAt = Date.now();
          node.warn(err.message);
        },
      });
    }

    /** Passes on what a channel hears: messages from phones, the route's reports, and its messages carried over a restart. */
    function follow(client: RouteClient, channelId: string, source: EventEmitter): Array<() => void> {
      const onMessage = (sms: unknown): void => {
        client.emit('message', sms);
      };
      const onReport = (report: DeliveryReport): void => {
        if (core.route.markOf(report.correlation)?.id !== node.id) return;
        activity(RED).report(node.id, report);
        client.emit('report', { ...report, correlation: core.route.withoutMark(report.correlation) });
      };
      const onCarried = (carried: { origin?: string; correlation?: unknown; result: route.RouteResult }): void => {
        const going = client.router.resume(channelId, carried);
        if (!going) return;
        going.then(
          // Its msg says it came over a restart, as the channel's result said.
          (result) =>
            client.emit('carried', {
              origin: carried.origin,
              correlation: core.route.withoutMark(carried.correlation),
              result: carried.result.carriedOver ? { ...result, carriedOver: true } : result,
            }),
          (err: Error) => node.warn(err.message),
        );
      };
      source.on('message', onMessage);
      source.on('report', onReport);
      source.on('carried', onCarried);
      return [() => source.off('message', onMessage), () => source.off('report', onReport), () => source.off('carried', onCarried)];
    }

    /** The channel in use under every user: green while each rule is on its first choice, yellow once one has moved on, red when none can send. */
    function showRoute(router: route.Router): void {
      const rules = router.view();
      activity(RED).update(node.id, { state: rules.some((r) => r.channels.some((c) => c.state === 'up')) ? 'connected' : 'disconnected', rules });
      const inUse = [...new Set(rules.map((r) => r.inUse).filter(Boolean))].join(', ');
      const up = rules.every((r) => r.channels.some((c) => c.state !== 'down'));
      const first = rules.every((r) => r.inUse === r.channels[0]?.name && r.channels[0]?.state === 'up');
      if (!up) shared.status(linkStatus('disconnected', editorKey('sms-route', 'status.down', { via: inUse })));
      else shared.status(linkStatus(first ? 'connected' : 'degraded', editorKey('sms-route', 'status.via', { via: inUse })));
    }

    node.register = (user: Node): RouteClient => shared.register(user);
    node.deregister = (user: Node, removed?: boolean): Promise<void> => shared.deregister(user, removed);
    node.on('close', (removed: boolean, done: () => void) => {
      removedWith = removed;
      if (removed) activity(RED).remove(node.id);
      shared.closeNow().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('sms-route', SmsRouteNode, { credentials: { redisPassword: { type: 'password' } } });
};
