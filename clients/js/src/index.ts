export { HeraldClient, type ClientState, type ClientEvents, type ConnectedInfo } from './client.js';
export type { ReconnectAttempt } from './reconnect.js';
export { tokenExpiresAt } from './credentials.js';
export { ClientDefaults, type ClientOptions, type ClientSettings } from './options.js';
export {
  Subscription,
  type SubscriptionState,
  type StateChange,
  type SubscriptionChangeCode,
  type Gap,
  type ChannelEvents,
  type SubscriptionEvents,
} from './subscription.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { Emitter, type EventMap } from './emitter.js';
export { HeraldError, ClientErrorCode, ClientReason } from './errors.js';
export type { PublishResult } from './commands.js';
export type { PageLifecycle } from './lifecycle.js';
export { browserLifecycle } from './lifecycle.js';
export * from './protocol.js';
export type { TransportKind, WebSocketConstructor, WebSocketLike, FetchLike, ConnectionCloseCode } from './transport/transport.js';
export { LocalCloseCode } from './transport/transport.js';
