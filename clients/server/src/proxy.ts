import { createHash, timingSafeEqual } from 'node:crypto';
import { ServerErrorCode } from './errors.js';
import type { NodeResponseLike } from './handler.js';

/** The kinds of Herald's backend proxy (PROTOCOL.md, "Backend hooks"), one endpoint each. */
export const ProxyKind = {
  Connect: 'connect',
  Refresh: 'refresh',
  Subscribe: 'subscribe',
  Publish: 'publish',
  Rpc: 'rpc',
} as const;
export type ProxyKind = (typeof ProxyKind)[keyof typeof ProxyKind];

/** A connection with no token (cookie login): the client's headers named in `proxy.headers`, its query string. */
export interface ConnectCall {
  readonly client: string;
  readonly transport: string;
  readonly remote_addr?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** `data` of the client's `connect` command. */
  readonly data?: unknown;
}
/** The claims a token would carry; `expires` (seconds since the epoch) brings a refresh call before it. */
export interface ConnectResult {
  readonly user: string;
  readonly expires?: number;
  readonly channels?: readonly string[];
  readonly publish?: readonly string[];
  readonly subscribe?: readonly string[];
  readonly info?: Record<string, unknown>;
  /** Comes back to the client in `connected.data`. */
  readonly data?: unknown;
}
export interface RefreshCall {
  readonly client: string;
  readonly user: string;
}
export interface RefreshResult {
  readonly expires: number;
}
export interface SubscribeCall {
  readonly client: string;
  readonly user: string;
  readonly channel: string;
  readonly data?: unknown;
}
export interface SubscribeResult {
  readonly info?: Record<string, unknown>;
  /** Comes back to the client in `subscribed.data`. */
  readonly data?: unknown;
}
/** A client publish in a namespace with `publish_proxy`: nothing is published before the answer. */
export interface PublishCall {
  readonly client: string;
  readonly user: string;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
}
export interface ProxyPublishResult {
  /** Replaces the client's data in the publication. */
  readonly data?: unknown;
}
export interface RpcCall {
  readonly client: string;
  readonly user: string;
  readonly method: string;
  readonly data: unknown;
}
export interface RpcResult {
  readonly data: unknown;
}

export interface ProxyCalls {
  connect: ConnectCall;
  refresh: RefreshCall;
  subscribe: SubscribeCall;
  publish: PublishCall;
  rpc: RpcCall;
}
export interface ProxyResults {
  connect: ConnectResult;
  refresh: RefreshResult;
  subscribe: SubscribeResult;
  publish: ProxyPublishResult;
  rpc: RpcResult;
}

/** A refusal passed to the client as its command's `error` (a connect refused: close 4003). */
export interface ProxyError {
  readonly code: ServerErrorCode;
  readonly message: string;
  readonly temporary?: boolean;
}
/** Ends the client's connection (close 4010 unless `code` says otherwise). */
export interface ProxyDisconnect {
  readonly code?: number;
  readonly reason?: string;
  readonly reconnect?: boolean;
}
/** What a proxy endpoint answers. */
export type ProxyAnswer<R> = { readonly result: R } | { readonly error: ProxyError } | { readonly disconnect: ProxyDisconnect };

/** `{error}`: the client's command is refused with `code` (not temporary unless said). */
export function proxyRefusal(code: ServerErrorCode, message: string, temporary = false): { readonly error: ProxyError } {
  return { error: { code, message, temporary } };
}

/** The request a proxy handler reads: a Node `IncomingMessage`, or Express's with `body` already parsed by `express.json()`. */
export interface ProxyRequestLike extends AsyncIterable<Uint8Array | string> {
  readonly method?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: unknown;
}

export interface ProxyHandlerOptions {
  /**
   * Herald's `proxy.static_headers`: every call must carry them, or it is answered 403 (a request
   * that did not come from your Herald). Strongly advised: without them anyone who reaches the
   * endpoint can ask it to decide.
   */
  readonly staticHeaders?: Readonly<Record<string, string>>;
  /** Larger bodies are answered 413 (default 1 MiB; Herald's frames are at most `max_frame_size`). */
  readonly maxBodyBytes?: number;
  /** The whole body must arrive within this (default 5000 ms), else 408. */
  readonly bodyTimeoutMs?: number;
}

export const ProxyDefaults = { maxBodyBytes: 1 << 20, bodyTimeoutMs: 5_000 } as const;

/** The fields each kind's call must have as strings; a body without them is not from Herald (400). */
const REQUIRED: { readonly [K in ProxyKind]: readonly (keyof ProxyCalls[K] & string)[] } = {
  connect: ['client', 'transport'],
  refresh: ['client', 'user'],
  subscribe: ['client', 'user', 'channel'],
  publish: ['client', 'user', 'channel', 'event'],
  rpc: ['client', 'user', 'method'],
};

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One endpoint of Herald's backend proxy for `node:http` or Express: checks the static headers,
 * reads the JSON call (bounded in size and time), asks `decide`, and writes its answer. `decide`
 * throwing is answered 500, which Herald turns into `not_available` for the client (a connect:
 * close 4002); the error is logged here, the client learns nothing of it.
 */
export function proxyHandler<K extends ProxyKind>(
  kind: K,
  decide: (call: ProxyCalls[K], request: ProxyRequestLike) => ProxyAnswer<ProxyResults[K]> | Promise<ProxyAnswer<ProxyResults[K]>>,
  options: ProxyHandlerOptions = {},
): (request: ProxyRequestLike, response: NodeResponseLike) => Promise<void> {
  const expected = Object.entries(options.staticHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), digest(value)] as const);
  const maxBytes = options.maxBodyBytes ?? ProxyDefaults.maxBodyBytes;
  const timeoutMs = options.bodyTimeoutMs ?? ProxyDefaults.bodyTimeoutMs;
  return async (request, response) => {
    let status = 200;
    let answer: unknown;
    try {
      if (request.method !== undefined && request.method !== 'POST') throw new HttpRefusal(405, 'proxy calls are POST');
      for (const [name, value] of expected) {
        const got = request.headers[name];
        if (typeof got !== 'string' || !timingSafeEqual(digest(got), value)) throw new HttpRefusal(403, `missing or wrong ${name}`);
      }
      const call = await readCall(request, maxBytes, timeoutMs);
      for (const field of REQUIRED[kind]) {
        if (typeof call[field] !== 'string') throw new HttpRefusal(400, `a ${kind} call needs "${field}"`);
      }
      answer = await decide(call as unknown as ProxyCalls[K], request);
    } catch (error) {
      if (error instanceof HttpRefusal) {
        status = error.status;
        // The rest of a body too large or too slow is not read: the connection ends with the answer.
        if (status === 408 || status === 413) response.setHeader('connection', 'close');
        answer = { error: { code: status === 413 ? ServerErrorCode.MessageTooLarge : ServerErrorCode.BadRequest, message: error.message } };
      } else {
        console.error(`herald proxyHandler(${kind}): decide failed`, error);
        status = 500;
        answer = { error: { code: ServerErrorCode.Internal, message: 'the backend failed' } };
      }
    }
    response.statusCode = status;
    response.setHeader('content-type', 'application/json');
    response.setHeader('cache-control', 'no-store');
    response.end(JSON.stringify(answer));
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

async function readCall(request: ProxyRequestLike, maxBytes: number, timeoutMs: number): Promise<Record<string, unknown>> {
  let parsed: unknown = request.body;
  if (parsed === undefined) {
    const text = await readBody(request, maxBytes, timeoutMs);
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpRefusal(400, 'the body is not JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpRefusal(400, 'the body is not a JSON object');
  return parsed as Record<string, unknown>;
}

async function readBody(request: ProxyRequestLike, maxBytes: number, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpRefusal(408, `the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
  });
  const read = (async () => {
    for await (const chunk of request) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += bytes.length;
      if (size > maxBytes) throw new HttpRefusal(413, `the body is over ${maxBytes} bytes`);
      chunks.push(bytes);
    }
    return Buffer.concat(chunks).toString('utf8');
  })();
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
    read.catch(() => undefined);
  }
}
