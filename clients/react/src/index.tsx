export { HeraldProvider, useHeraldClient, type HeraldProviderProps } from './context.js';
export {
  useConnectionState,
  useChannel,
  useEvent,
  usePresence,
  useRpc,
  type ConnectionInfo,
  type RpcState,
  type ChannelHandlers,
  type ChannelInfo,
  type ChannelOptions,
  type PresenceInfo,
} from './hooks.js';
export { useLiveQuery, type LiveAction, type LiveQueryOptions, type LiveVersion } from './live-query.js';
export { ConnectionStatus, type ConnectionStatusProps } from './connection-status.js';
