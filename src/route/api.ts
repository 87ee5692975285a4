/** One send over many channels as the package promises it: the router, each client as a channel, and the outcomes that move a message on. */
export { Router, RouterOptions, RouteSend, RouteResult, RoutedPart, RouteTry, RuleView, ChannelView } from './router';
export { RouteChannel, RouteRequest, ChannelKind, cmppChannel, smppChannel, imspChannel, modemChannel } from './channel';
export { RouteRule, RuleChannel, Strategy, FAIL_OVER_DEFAULT, MAY_HAVE_BEEN_SENT } from './rules';
export { RouteState, LocalRouteState, RedisRouteState, RedisRouteStateOptions } from './state';
