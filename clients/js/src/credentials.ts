import { ClientReason, HeraldError } from './errors.js';
import { HeraldErrorCode } from './protocol.js';
import type { ConnectionCloseCode } from './transport/transport.js';

/**
 * When a JWT expires by its `exp` claim (ms since epoch), read without verifying it; undefined
 * when the token is not a JWT or has no numeric `exp`. The server alone decides whether a token
 * is valid: the client uses this only to explain a refusal the server already made (its own
 * clock may be off, so it never refuses a token by itself).
 */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined || payload.length > 16_384) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const json = new TextDecoder().decode(bytes);
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== 'object' || claims === null || !('exp' in claims)) return undefined;
    const exp = (claims as { exp: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** True when `token` carries an `exp` that has passed by this machine's clock. */
export function tokenHasExpired(token: string, now = Date.now()): boolean {
  const expiresAt = tokenExpiresAt(token);
  return expiresAt !== undefined && expiresAt <= now;
}

/**
 * The client's token: the one given or set, else `getToken`'s, and what a 4003 refusal of it
 * means for the next connection (the protocol: 4003 reconnects only with a new token).
 */
export class Credentials {
  private value: string | undefined;
  /** The token the server refused after its `exp` had passed, when no getToken can replace it. */
  private expired: string | undefined;
  private refusedInRow = 0;

  constructor(
    token: string | undefined,
    private readonly getToken: (() => Promise<string>) | undefined,
  ) {
    this.value = token;
  }

  /** The token the next request or connection carries. */
  get token(): string | undefined {
    return this.value;
  }

  set(token: string | undefined): void {
    this.value = token;
  }

  /** True when the token held was refused as expired and nothing can replace it but `set`. */
  get needsNewToken(): boolean {
    return this.expired !== undefined && this.expired === this.value;
  }

  /** Before a connection: asks getToken when no token is held. Rejects with a temporary `unauthorized`. */
  async forConnect(): Promise<void> {
    if (this.value === undefined && this.getToken) this.value = await fetchToken(this.getToken);
  }

  /** On `refresh_required`: a new token from getToken, or undefined without one. Rejects as `forConnect`. */
  async renew(): Promise<string | undefined> {
    if (!this.getToken) return undefined;
    this.value = await fetchToken(this.getToken);
    return this.value;
  }

  /** A connection was made: a later refusal may ask getToken again. */
  connected(): void {
    this.refusedInRow = 0;
  }

  /**
   * The server refused the token (4003): the error to report, and whether to connect once more
   * with a token from getToken (once per successful connection, so a fresh token the server keeps
   * refusing cannot loop). Without getToken the same token is all there is: a manual retry uses
   * it again, unless it has expired; then `needsNewToken` holds until `set` gives another.
   */
  refused(code: ConnectionCloseCode, reason: string): { readonly error: HeraldError; readonly retry: boolean } {
    const refused = this.value;
    this.refusedInRow++;
    if (this.getToken) {
      this.value = undefined;
      return { error: new HeraldError(HeraldErrorCode.Unauthorized, reason, false, code), retry: this.refusedInRow <= 1 };
    }
    const expired = refused !== undefined && tokenHasExpired(refused);
    this.expired = expired ? refused : undefined;
    return expired
      ? { error: new HeraldError(HeraldErrorCode.TokenExpired, ClientReason.TokenExpired, false, code), retry: false }
      : { error: new HeraldError(HeraldErrorCode.Unauthorized, reason, false, code), retry: false };
  }
}

async function fetchToken(getToken: () => Promise<string>): Promise<string> {
  try {
    return await getToken();
  } catch (error) {
    throw new HeraldError(HeraldErrorCode.Unauthorized, `getToken failed: ${String(error)}`, true);
  }
}
