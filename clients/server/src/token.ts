import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** The claims of a Herald connection token (PROTOCOL.md, "Tokens"). */
export interface TokenClaims {
  /** The user id (`sub`); "" is anonymous. */
  readonly user: string;
  /** Channel patterns the user may subscribe to. */
  readonly channels?: readonly string[];
  /** Channel patterns the user may publish to from the client. */
  readonly publish?: readonly string[];
  /** Channels joined at connect. */
  readonly subscribe?: readonly string[];
  /** Shown to others in presence. */
  readonly info?: Record<string, unknown>;
  /** Lifetime in seconds (default 3600). */
  readonly ttl?: number;
  /** `aud` and `iss`, when Herald is configured to check them. */
  readonly audience?: string;
  readonly issuer?: string;
}

/** What `createToken` signs with: an HS256 secret (at least 32 bytes, like Herald's `jwt.hmac_secret`), or an RSA / P-256 private key (PEM text or a KeyObject) for RS256 / ES256. */
export type TokenKey = string | KeyObject;

export type TokenAlgorithm = 'HS256' | 'RS256' | 'ES256';

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** The algorithm `createToken` uses for a key: PEM or KeyObject by its type, any other string HS256. */
export function tokenAlgorithm(key: TokenKey): TokenAlgorithm {
  const object = asPrivateKey(key);
  if (object === undefined) return 'HS256';
  if (object.asymmetricKeyType === 'rsa') return 'RS256';
  if (object.asymmetricKeyType === 'ec' && object.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new TypeError(`unsupported key for a Herald token: ${object.asymmetricKeyType ?? object.type} (use an HS256 secret, an RSA key or a P-256 EC key)`);
}

/** A signed JWT for a Herald connection; `now` (seconds) is injectable for tests. */
export function createToken(claims: TokenClaims, key: TokenKey, now = Math.floor(Date.now() / 1000)): string {
  const ttl = claims.ttl ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new RangeError(`ttl must be a positive whole number of seconds, got ${ttl}`);
  if (typeof claims.user !== 'string') throw new TypeError('user must be a string');
  const algorithm = tokenAlgorithm(key);
  const payload: Record<string, unknown> = { sub: claims.user, iat: now, exp: now + ttl };
  if (claims.channels !== undefined) payload['channels'] = claims.channels;
  if (claims.publish !== undefined) payload['publish'] = claims.publish;
  if (claims.subscribe !== undefined) payload['subscribe'] = claims.subscribe;
  if (claims.info !== undefined) payload['info'] = claims.info;
  if (claims.audience !== undefined) payload['aud'] = claims.audience;
  if (claims.issuer !== undefined) payload['iss'] = claims.issuer;
  const unsigned = `${base64url({ alg: algorithm, typ: 'JWT' })}.${base64url(payload)}`;
  return `${unsigned}.${signature(unsigned, algorithm, key)}`;
}

function signature(unsigned: string, algorithm: TokenAlgorithm, key: TokenKey): string {
  if (algorithm === 'HS256') {
    const secret = key as string;
    if (Buffer.byteLength(secret, 'utf8') < 32) throw new RangeError('an HS256 secret must be at least 32 bytes (Herald refuses shorter ones)');
    return createHmac('sha256', secret).update(unsigned).digest('base64url');
  }
  const privateKey = asPrivateKey(key) as KeyObject;
  // JOSE wants ES256 signatures as r||s (IEEE P1363), not the DER that node:crypto gives by default.
  const options = algorithm === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  return sign('sha256', Buffer.from(unsigned), options).toString('base64url');
}

function asPrivateKey(key: TokenKey): KeyObject | undefined {
  if (typeof key !== 'string') {
    if (key.type !== 'private') throw new TypeError('a token is signed with a private key, got a ' + key.type + ' key');
    return key;
  }
  return key.trimStart().startsWith('-----BEGIN') ? createPrivateKey(key) : undefined;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
