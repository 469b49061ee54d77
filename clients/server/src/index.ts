export { HeraldApi, ApiDefaults, newIdempotencyKey, type HeraldApiOptions } from './api.js';
export { HeraldApiError, ServerErrorCode, SdkErrorCode, isServerErrorCode } from './errors.js';
export { createToken, tokenAlgorithm, DEFAULT_TOKEN_TTL_SECONDS, type TokenClaims, type TokenKey, type TokenAlgorithm } from './token.js';
export { tokenHandler, type TokenHandler, type Authorize, type NodeResponseLike } from './handler.js';
export { jitterDelay, parseRetryAfter } from './retry.js';
export type * from './types.js';
export { insertOutbox, DEFAULT_OUTBOX_TABLE, type OutboxEvent, type OutboxOptions, type OutboxQueryable } from './outbox.js';
export {
  proxyHandler,
  proxyRefusal,
  ProxyKind,
  ProxyDefaults,
  type ProxyAnswer,
  type ProxyCalls,
  type ProxyResults,
  type ProxyError,
  type ProxyDisconnect,
  type ProxyHandlerOptions,
  type ProxyRequestLike,
  type ConnectCall,
  type ConnectResult,
  type RefreshCall,
  type RefreshResult,
  type SubscribeCall,
  type SubscribeResult,
  type PublishCall,
  type ProxyPublishResult,
  type RpcCall,
  type RpcResult,
} from './proxy.js';
