/**
 * A channel as a route sees it: send one message and get one result, say
 * whether it can take a message now, what a text costs on it in SMS, and
 * take back what waits unsent when it goes down. Each client is such a
 * channel through a small table of what its request calls each field.
 */
import { EventEmitter } from 'node:events';
import type { CmppClient, CmppSendRequest } from '../cmpp/client';
import type { ImspClient, ImspSendRequest } from '../imsp/client';
import type { Modem, ModemSendRequest } from '../modem/modem';
import type { SendResult } from '../results';
import type { SmppClient, SmppSendRequest } from '../smpp/client';
import { segment } from '../text/segmenter';
import type { Encoding } from '../text/codecs';
import type { Target } from '../text/targets';

export type ChannelKind = 'cmpp' | 'smpp' | 'imsp' | 'modem';

/** What a route asks of a channel, whatever the channel. */
export interface RouteRequest {
  to: string[];
  payload: string | Buffer;
  encoding: Encoding | 'auto';
  /** ask for a delivery report */
  report: boolean;
  /** comes back on the report and on a message carried over a restart */
  correlation: unknown;
  maxParts: number;
  /** who sent it (a node id): a message carried over a restart goes back there */
  origin?: string;
}

export interface RouteChannel {
  /** unique in the route (the connection's node id) */
  readonly id: string;
  /** what a user calls it: the result's `via`, the tries */
  readonly name: string;
  readonly kind: ChannelKind;
  /** logged in, ready: a message given now leaves at once */
  readonly canSend: boolean;
  /** SMS the text costs one recipient here (Infinity: this channel cannot carry it) */
  parts(payload: string | Buffer, encoding: Encoding | 'auto'): number;
  send(request: RouteRequest): Promise<SendResult>;
  /** Fails at once (*_NOT_CONNECTED) what the route gave it that still waits wholly unsent; returns how many. */
  withdrawUnsent(): number;
  /** `listener` hears each change of state; returns how to stop listening */
  watch(listener: () => void): () => void;
}

type Client = CmppClient | SmppClient | ImspClient | Modem;

/** Per kind: the segmenter's target, the client's request, and whether it can send now. */
interface KindTable<C extends Client, R> {
  target: Target;
  request(r: RouteRequest, extra: Partial<R>): R;
  canSend(client: C): boolean;
  withdraw(client: C): number;
}

/** CMPP and SMPP take the same request; a route's messages may be taken back while unsent. */
function carrier<C extends CmppClient | SmppClient, R extends CmppSendRequest | SmppSendRequest>(target: Target): KindTable<C, R> {
  return {
    target,
    request: (r, extra) =>
      ({ ...extra, to: r.to, payload: r.payload, encoding: r.encoding, registeredDelivery: r.report, correlation: r.correlation, maxParts: r.maxParts, origin: r.origin, handOver: true }) as R,
    canSend: (c) => c.canSend,
    withdraw: (c) => c.withdrawUnsent(),
  };
}

const CMPP = carrier<CmppClient, CmppSendRequest>('cmpp');
const SMPP = carrier<SmppClient, SmppSendRequest>('smpp');

// An HTTPS API has no link to be down: a failure marks it down in the route until the revert time.
const IMSP: KindTable<ImspClient, ImspSendRequest> = {
  target: 'imsp',
  request: (r, extra) => ({ ...extra, to: r.to, payload: r.payload, encoding: r.encoding, track: r.report, correlation: r.correlation, maxParts: r.maxParts }),
  canSend: () => true,
  withdraw: () => 0,
};

const MODEM: KindTable<Modem, ModemSendRequest> = {
  target: 'pdu',
  request: (r, extra) => ({ ...extra, to: r.to, payload: r.payload, encoding: r.encoding, statusReport: r.report, correlation: r.correlation, maxParts: r.maxParts }),
  canSend: (m) => m.state === 'ready',
  withdraw: () => 0,
};

function channel<C extends Client, R>(kind: ChannelKind, table: KindTable<C, R>, id: string, name: string, client: C, extra: Partial<R>): RouteChannel {
  const events = client as unknown as EventEmitter;
  return {
    id,
    name,
    kind,
    get canSend() {
      return table.canSend(client);
    },
    parts(payload, encoding) {
      try {
        return segment(payload, { target: table.target, encoding }).count;
      } catch {
        return Infinity;
      }
    },
    send: (request) => (client.send as (r: R) => Promise<SendResult>).call(client, table.request(request, extra)),
    withdrawUnsent: () => table.withdraw(client),
    watch(listener) {
      events.on('state', listener);
      return () => events.off('state', listener);
    },
  };
}

/** A CMPP connection as a route channel; `extra` gives its Src_Id, Service_Id. */
export function cmppChannel(id: string, name: string, client: CmppClient, extra: Partial<CmppSendRequest> = {}): RouteChannel {
  return channel('cmpp', CMPP, id, name, client, extra);
}

export function smppChannel(id: string, name: string, client: SmppClient, extra: Partial<SmppSendRequest> = {}): RouteChannel {
  return channel('smpp', SMPP, id, name, client, extra);
}

export function imspChannel(id: string, name: string, client: ImspClient, extra: Partial<ImspSendRequest> = {}): RouteChannel {
  return channel('imsp', IMSP, id, name, client, extra);
}

export function modemChannel(id: string, name: string, modem: Modem, extra: Partial<ModemSendRequest> = {}): RouteChannel {
  return channel('modem', MODEM, id, name, modem, extra);
}
