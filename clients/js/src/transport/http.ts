import { ClientErrorCode, HeraldError, serverError } from '../errors.js';
import { CloseCode, errorCodeOfStatus, HeraldErrorCode, isHeraldErrorCode, type Json, type StreamPosition } from '../protocol.js';
import { LocalCloseCode, type ChannelRequest, type ConnectionCloseCode, type FetchLike } from './transport.js';

/** `<epoch>:<offset>` per channel, comma-joined, in channel order; an empty element for a channel without a position. */
export function formatCursors(channels: readonly ChannelRequest[]): string | undefined {
  if (!channels.some((c) => c.since)) return undefined;
  return channels.map((c) => (c.since ? `${c.since.epoch}:${c.since.offset}` : '')).join(',');
}

/** Parses `a1:19,b7:4` into positions; an element that is not `<epoch>:<offset>` gives undefined. */
export function parseCursors(text: string): Array<StreamPosition | undefined> {
  return text.split(',').map((element) => {
    const colon = element.lastIndexOf(':');
    if (colon <= 0) return undefined;
    const offset = Number(element.slice(colon + 1));
    return Number.isInteger(offset) && offset >= 0 ? { epoch: element.slice(0, colon), offset } : undefined;
  });
}

export function channelQuery(channels: readonly ChannelRequest[], token: string | undefined): URLSearchParams {
  const query = new URLSearchParams();
  for (const c of channels) query.append('channel', c.channel);
  const since = formatCursors(channels);
  if (since !== undefined) query.set('since', since);
  if (token) query.set('token', token);
  return query;
}

/**
 * Reads an HTTP error answer (`{"error":{code,message}}` or an `error` frame) into a HeraldError.
 * A body that names no Herald code (a proxy's page) gets the code of its status where the status
 * has one code alone (401 unauthorized, 403 permission_denied, 503 not_available, …), else
 * `http_error`; the code it named, if any, stays in the message.
 */
export async function httpError(response: Response): Promise<HeraldError> {
  let code: HeraldErrorCode | ClientErrorCode = errorCodeOfStatus(response.status) ?? ClientErrorCode.HttpError;
  let message = `HTTP ${response.status}`;
  let temporary = response.status >= 500 || response.status === 429;
  try {
    const body: unknown = await response.json();
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : body;
    if (typeof error === 'object' && error !== null) {
      const named = 'code' in error ? error.code : undefined;
      if ('message' in error && typeof error.message === 'string') message = error.message;
      if (isHeraldErrorCode(named)) code = named;
      else if (typeof named === 'string') message = `${named}: ${message}`;
      if ('temporary' in error && typeof error.temporary === 'boolean') temporary = error.temporary;
    }
  } catch {
    // Not JSON: the status line is all there is.
  }
  return new HeraldError(code, message, temporary);
}

/**
 * The close a one-way transport reports for an HTTP refusal of its request: the token (or every
 * channel it asked for) was refused, which `/sse` answers in the stream as 4003 too, so the client
 * treats it as 4003 (new token from getToken, else disconnected); any other refusal is 4900
 * (reconnect with backoff, or the next transport when this one never worked).
 */
export function refusalCloseCode(error: HeraldError): ConnectionCloseCode {
  switch (error.code) {
    case HeraldErrorCode.Unauthorized:
    case HeraldErrorCode.TokenExpired:
    case HeraldErrorCode.PermissionDenied:
      return CloseCode.Unauthorized;
    default:
      return LocalCloseCode.HttpRefused;
  }
}

export interface HttpPublishResult {
  readonly offset: number;
}

/** `POST /publish` for clients on SSE or polling: bearer token, body as the `publish` command. */
export async function httpPublish(
  fetchImpl: FetchLike,
  baseUrl: string,
  token: string | undefined,
  command: { channel: string; event: string; data: unknown },
  signal: AbortSignal,
): Promise<HttpPublishResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetchImpl(`${baseUrl}/publish`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'publish', ...command }),
    signal,
  });
  if (!response.ok) throw await httpError(response);
  const body: unknown = await response.json();
  if (typeof body === 'object' && body !== null) {
    if ('type' in body && body.type === 'error') {
      const e = body as { code?: unknown; message?: unknown; temporary?: unknown };
      throw serverError(e.code, e.message, e.temporary);
    }
    if ('offset' in body && typeof body.offset === 'number') return { offset: body.offset };
  }
  throw new HeraldError(ClientErrorCode.BadResponse, `unexpected /publish reply: ${JSON.stringify(body)}`);
}

/**
 * `POST /rpc` for clients on SSE or polling: bearer token when there is one (else the server asks
 * its connect proxy, with the request's cookie), body as the `rpc` command; the answer's `data`.
 * Rejects with the server's code, `timeout` after `timeout` ms (the call may still have been
 * made), `connection_lost` when the request fails.
 */
export async function httpRpc(
  fetchImpl: FetchLike,
  baseUrl: string,
  token: string | undefined,
  command: { method: string; data?: unknown },
  timeout: number,
): Promise<Json> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  try {
    return await postRpc(fetchImpl, baseUrl, token, command, abort.signal);
  } catch (error) {
    if (abort.signal.aborted) throw new HeraldError(ClientErrorCode.Timeout, `rpc ${command.method}: no reply within ${timeout} ms`, true);
    if (error instanceof HeraldError) throw error;
    throw new HeraldError(ClientErrorCode.ConnectionLost, `rpc ${command.method}: ${String(error)}`, true);
  } finally {
    clearTimeout(timer);
  }
}

async function postRpc(
  fetchImpl: FetchLike,
  baseUrl: string,
  token: string | undefined,
  command: { method: string; data?: unknown },
  signal: AbortSignal,
): Promise<Json> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetchImpl(`${baseUrl}/rpc`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'rpc', id: 1, ...command }),
    signal,
  });
  if (!response.ok) throw await httpError(response);
  const body: unknown = await response.json();
  if (typeof body === 'object' && body !== null && 'type' in body) {
    if (body.type === 'error') {
      const e = body as { code?: unknown; message?: unknown; temporary?: unknown };
      throw serverError(e.code, e.message, e.temporary);
    }
    if (body.type === 'rpc') return 'data' in body ? (body.data as Json) : null;
  }
  throw new HeraldError(ClientErrorCode.BadResponse, `unexpected /rpc reply: ${JSON.stringify(body)}`);
}
