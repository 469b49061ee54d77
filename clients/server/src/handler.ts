import { createToken, DEFAULT_TOKEN_TTL_SECONDS, type TokenClaims, type TokenKey } from './token.js';

/** The part of a Node/Express response the handler writes to. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/**
 * Maps a request to the token's claims, or `null` when the request has no user (answered 401).
 * Session or cookie checks are yours; the handler does none.
 */
export type Authorize<R> = (request: R) => TokenClaims | null | Promise<TokenClaims | null>;

/**
 * A token endpoint: `POST /herald/token` answering `{"token","expires"}` (seconds since the epoch).
 * Called with a fetch `Request` (Next.js route handlers, Hono, …) it returns a `Response`, whatever
 * the framework passes after the request (Next.js: `{ params }`); called with `(req, res)`
 * (Express, `node:http`) it writes to `res`.
 */
export interface TokenHandler<R> {
  (request: R & Request, context?: unknown): Promise<Response>;
  (request: R, response: NodeResponseLike): Promise<void>;
}

/** A Node/Express response, not a fetch framework's second argument (Next.js passes `{ params }`). */
function isNodeResponse(value: unknown): value is NodeResponseLike {
  const candidate = value as Partial<NodeResponseLike> | null | undefined;
  return typeof candidate?.setHeader === 'function' && typeof candidate.end === 'function';
}

/** Builds a token endpoint that signs with `key` the claims `authorize` returns. */
export function tokenHandler<R = Request>(authorize: Authorize<R>, key: TokenKey): TokenHandler<R> {
  async function answer(request: R): Promise<{ status: number; body: unknown }> {
    let claims: TokenClaims | null;
    try {
      claims = await authorize(request);
    } catch (error) {
      // The cause stays in the server's log; the browser learns nothing about it.
      console.error('herald tokenHandler: authorize failed', error);
      return { status: 500, body: { error: { code: 'internal', message: 'could not issue a token' } } };
    }
    if (claims === null) return { status: 401, body: { error: { code: 'unauthorized', message: 'no user for this request' } } };
    const now = Math.floor(Date.now() / 1000);
    return { status: 200, body: { token: createToken(claims, key, now), expires: now + (claims.ttl ?? DEFAULT_TOKEN_TTL_SECONDS) } };
  }
  const handler = async (request: R, response?: unknown): Promise<Response | void> => {
    const { status, body } = await answer(request);
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (!isNodeResponse(response)) return new Response(JSON.stringify(body), { status, headers });
    response.statusCode = status;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.end(JSON.stringify(body));
  };
  return handler as TokenHandler<R>;
}
