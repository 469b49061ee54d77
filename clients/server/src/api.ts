import { randomUUID } from 'node:crypto';
import { HeraldApiError, isServerErrorCode, SdkErrorCode, ServerErrorCode } from './errors.js';
import { jitterDelay, parseRetryAfter, sleep } from './retry.js';
import type {
  BroadcastChannelResult,
  BroadcastResult,
  ChannelInfo,
  DisconnectOptions,
  HistoryOptions,
  HistoryResult,
  PresenceResult,
  PublishOptions,
  PublishResult,
  ServerInfo,
  Target,
} from './types.js';

export interface HeraldApiOptions {
  /** Herald's base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The server API key (`HERALD_API_KEY`). */
  readonly apiKey: string;
  /** Per-request timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** How long a call keeps retrying, from its first try, in milliseconds (default 30 000). */
  readonly retryDeadlineMs?: number;
  /** First backoff ceiling in milliseconds (default 100); doubles per try up to `maxBackoffMs`. */
  readonly minBackoffMs?: number;
  /** Largest backoff ceiling in milliseconds (default 5 000). */
  readonly maxBackoffMs?: number;
  /** The fetch implementation (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Randomness in [0, 1) for the backoff jitter (default Math.random). */
  readonly random?: () => number;
}

export const ApiDefaults = {
  timeoutMs: 10_000,
  retryDeadlineMs: 30_000,
  minBackoffMs: 100,
  maxBackoffMs: 5_000,
} as const;

/** Which failures a call retries (same key every time, so a publish is never applied twice). */
type RetryPolicy = 'all' | 'nothing-done';

type Json = Record<string, unknown>;

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 503, 504]);
/** Broadcast channels whose result says "retry with the key". */
const RETRYABLE_CHANNEL_CODES: ReadonlySet<string> = new Set([ServerErrorCode.NotAvailable, ServerErrorCode.UnknownOutcome]);

/**
 * Herald's server API for backends. Calls are independent promises (no queue): each has a
 * per-request timeout and is retried with full-jitter backoff on network errors, 429 (waiting at
 * least `Retry-After`), 503 and 504 until `retryDeadlineMs`; other errors fail at once with a
 * {@link HeraldApiError} carrying the protocol's code. Publishes and broadcasts carry an
 * idempotency key, the same on every try. `disconnect` is retried only when Herald said nothing
 * was done (429, 503), since a repeated disconnect could end a session the first one let
 * reconnect.
 */
export class HeraldApi {
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;

  constructor(options: HeraldApiOptions) {
    if (!options.url) throw new TypeError('HeraldApi needs a url');
    if (!options.apiKey) throw new TypeError('HeraldApi needs an apiKey');
    this.base = options.url.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = positive(options.timeoutMs ?? ApiDefaults.timeoutMs, 'timeoutMs');
    this.deadlineMs = positive(options.retryDeadlineMs ?? ApiDefaults.retryDeadlineMs, 'retryDeadlineMs');
    this.minBackoffMs = positive(options.minBackoffMs ?? ApiDefaults.minBackoffMs, 'minBackoffMs');
    this.maxBackoffMs = positive(options.maxBackoffMs ?? ApiDefaults.maxBackoffMs, 'maxBackoffMs');
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
  }

  /** Publishes once, whatever the retries: resolves with the offset, epoch and key it went under. */
  async publish(channel: string, type: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    const key = options.idempotencyKey ?? newIdempotencyKey();
    const body = await this.call('POST', '/api/publish', { channel, type, data: data ?? null, idempotency_key: key }, 'all', key);
    return { offset: num(body, 'offset'), epoch: str(body, 'epoch'), idempotencyKey: str(body, 'idempotency_key', key) };
  }

  /**
   * Publishes to every channel under one key. Channels whose result is `not_available` or
   * `unknown_outcome` are broadcast again with the key until the deadline; other per-channel
   * errors (a bad channel name) are in the result, not thrown.
   */
  async broadcast(channels: readonly string[], type: string, data: unknown, options: PublishOptions = {}): Promise<BroadcastResult> {
    const key = options.idempotencyKey ?? newIdempotencyKey();
    const started = performance.now();
    const results = new Map<string, BroadcastChannelResult>();
    let pending = [...new Set(channels)];
    for (let attempt = 0; ; attempt++) {
      const remaining = this.deadlineMs - (performance.now() - started);
      const body = await this.call('POST', '/api/broadcast', { channels: pending, type, data: data ?? null, idempotency_key: key }, 'all', key, remaining);
      const answered = body['results'];
      if (!Array.isArray(answered)) throw badResponse('/api/broadcast', body);
      for (const entry of answered as unknown[]) {
        const result = broadcastEntry(entry);
        results.set(result.channel, result);
      }
      pending = pending.filter((channel) => {
        const result = results.get(channel);
        return result?.error !== undefined && RETRYABLE_CHANNEL_CODES.has(result.error.code);
      });
      const wait = jitterDelay(attempt, this.minBackoffMs, this.maxBackoffMs, this.random);
      if (pending.length === 0 || performance.now() - started + wait >= this.deadlineMs) break;
      await sleep(wait);
    }
    return { results: channels.map((channel) => results.get(channel) ?? { channel, error: { code: SdkErrorCode.BadResponse, message: 'no result for this channel' } }), idempotencyKey: key };
  }

  async history<T = unknown>(channel: string, options: HistoryOptions = {}): Promise<HistoryResult<T>> {
    const query = new URLSearchParams();
    if (options.since !== undefined) query.set('since', String(options.since));
    if (options.epoch !== undefined) query.set('epoch', options.epoch);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    const suffix = query.size > 0 ? `?${query}` : '';
    return (await this.call('GET', `/api/history/${encodeURIComponent(channel)}${suffix}`, undefined, 'all')) as unknown as HistoryResult<T>;
  }

  async presence(channel: string): Promise<PresenceResult> {
    return (await this.call('GET', `/api/presence/${encodeURIComponent(channel)}`, undefined, 'all')) as unknown as PresenceResult;
  }

  /** Channels with subscribers on the answering node, optionally matching `pattern` (`chat:*`). */
  async channels(pattern?: string): Promise<ChannelInfo[]> {
    const suffix = pattern === undefined ? '' : `?${new URLSearchParams({ pattern })}`;
    const body = await this.call('GET', `/api/channels${suffix}`, undefined, 'all');
    return (body['channels'] ?? []) as ChannelInfo[];
  }

  /** Subscribes the target's connections on the answering node; resolves with how many. */
  async subscribe(target: Target, channel: string): Promise<number> {
    return num(await this.call('POST', '/api/subscribe', { ...targetBody(target), channel }, 'all'), 'subscribed');
  }

  async unsubscribe(target: Target, channel: string): Promise<number> {
    return num(await this.call('POST', '/api/unsubscribe', { ...targetBody(target), channel }, 'all'), 'unsubscribed');
  }

  /** Disconnects the target's connections (close 4010); resolves with how many. */
  async disconnect(target: Target, options: DisconnectOptions = {}): Promise<number> {
    const body: Json = { ...targetBody(target) };
    if (options.reconnect !== undefined) body['reconnect'] = options.reconnect;
    if (options.reason !== undefined) body['reason'] = options.reason;
    return num(await this.call('POST', '/api/disconnect', body, 'nothing-done'), 'disconnected');
  }

  async info(): Promise<ServerInfo> {
    return (await this.call('GET', '/api/info', undefined, 'all')) as unknown as ServerInfo;
  }

  /** One call with its retries; resolves with the JSON body of a 2xx answer. */
  private async call(method: string, path: string, body: Json | undefined, policy: RetryPolicy, key?: string, budgetMs = this.deadlineMs): Promise<Json> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      let failure: HeraldApiError;
      try {
        return await this.once(method, path, body, key);
      } catch (error) {
        if (!(error instanceof HeraldApiError)) throw error;
        failure = error;
      }
      const retry = failure.retryable && (policy === 'all' || failure.status === 429 || failure.status === 503);
      if (!retry) throw failure;
      const wait = Math.max(failure.retryAfterMs ?? 0, jitterDelay(attempt, this.minBackoffMs, this.maxBackoffMs, this.random));
      const elapsed = performance.now() - started;
      if (elapsed + wait >= budgetMs) {
        throw new HeraldApiError(SdkErrorCode.DeadlineExceeded, `${method} ${path}: gave up after ${attempt + 1} tries in ${Math.round(elapsed)} ms: ${failure.message}`, {
          status: failure.status,
          idempotencyKey: key,
          retryable: true,
          cause: failure,
        });
      }
      await sleep(wait);
    }
  }

  private async once(method: string, path: string, body: Json | undefined, key: string | undefined): Promise<Json> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: { authorization: `apikey ${this.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const reason = timedOut ? `no answer within ${this.timeoutMs} ms` : networkReason(error);
      throw new HeraldApiError(SdkErrorCode.NetworkError, `${method} ${path}: ${reason}`, { idempotencyKey: key, retryable: true, cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection broke after the status line: as unknown as no answer at all.
      throw new HeraldApiError(SdkErrorCode.NetworkError, `${method} ${path}: ${networkReason(error)}`, { status: response.status, idempotencyKey: key, retryable: true, cause: error });
    }
    let json: Json | undefined;
    try {
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      json = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) {
      if (json === undefined) throw new HeraldApiError(SdkErrorCode.BadResponse, `${method} ${path}: answer is not a JSON object: ${text.slice(0, 200)}`, { status: response.status, idempotencyKey: key });
      return json;
    }
    const error = json?.['error'];
    const code = error !== null && typeof error === 'object' ? (error as Json)['code'] : undefined;
    const message = error !== null && typeof error === 'object' ? (error as Json)['message'] : undefined;
    const answeredKey = typeof json?.['idempotency_key'] === 'string' ? (json['idempotency_key'] as string) : key;
    const retryable = RETRYABLE_STATUS.has(response.status);
    const details = { status: response.status, idempotencyKey: answeredKey, retryable, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    const summary = `${method} ${path}: ${response.status} ${typeof message === 'string' ? message : text.slice(0, 200)}`;
    throw new HeraldApiError(isServerErrorCode(code) ? code : SdkErrorCode.HttpError, summary, details);
  }
}

/** A fresh idempotency key: 122 random bits, well within the server's 1–256 characters. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

function targetBody(target: Target): Json {
  if ((target.user === undefined) === (target.client === undefined)) throw new TypeError('give exactly one of user and client');
  return target.user !== undefined ? { user: target.user } : { client: target.client };
}

function broadcastEntry(entry: unknown): BroadcastChannelResult {
  if (entry === null || typeof entry !== 'object') throw badResponse('/api/broadcast', entry);
  const e = entry as Json;
  const channel = str(e, 'channel');
  const error = e['error'];
  if (error !== null && typeof error === 'object') {
    const err = error as Json;
    return { channel, error: { code: String(err['code']), message: String(err['message'] ?? '') } };
  }
  return { channel, offset: num(e, 'offset'), epoch: str(e, 'epoch') };
}

function num(body: Json, field: string): number {
  const value = body[field];
  if (typeof value !== 'number') throw badResponse(field, body);
  return value;
}

function str(body: Json, field: string, fallback?: string): string {
  const value = body[field];
  if (typeof value === 'string') return value;
  if (fallback !== undefined) return fallback;
  throw badResponse(field, body);
}

function badResponse(what: string, body: unknown): HeraldApiError {
  return new HeraldApiError(SdkErrorCode.BadResponse, `unexpected answer (${what}): ${JSON.stringify(body)?.slice(0, 200)}`);
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code} (${message})` : message;
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
