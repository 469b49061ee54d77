import { HeraldErrorCode, isHeraldErrorCode, toPublication, type StreamPosition } from '../protocol.js';
import { channelQuery, httpError, parseCursors, refusalCloseCode } from './http.js';
import { LocalCloseCode, type ChannelRequest, type ConnectionCloseCode, type Transport, type TransportContext } from './transport.js';

/**
 * Long-polling: `GET /poll` in a loop, each request carrying the cursors of the previous reply,
 * so no server state is needed between requests. The first request waits 0 s so the client
 * learns its positions (and becomes connected) at once; later ones wait up to pollTimeout.
 */
export class PollingTransport implements Transport {
  readonly kind = 'polling';
  readonly bidirectional = false;
  readonly id: number;
  private readonly context: TransportContext;
  private readonly abort = new AbortController();
  private channels: ChannelRequest[];
  private opened = false;
  private ended = false;
  private paused = false;
  private resume: (() => void) | undefined;

  constructor(context: TransportContext) {
    this.id = context.id;
    this.context = context;
    this.channels = [...context.channels];
    void this.run();
  }

  send(): void {
    throw new Error('polling carries no commands; the client sends them over HTTP');
  }

  close(): void {
    this.ended = true;
    this.abort.abort();
    this.resume?.();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.resume?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.ended) {
        if (this.paused) await new Promise<void>((resolve) => (this.resume = resolve));
        if (this.ended) return;
        await this.pollOnce(this.opened ? this.context.pollTimeout : 0);
      }
    } catch (error) {
      this.end(LocalCloseCode.Abnormal, error instanceof Error ? error.message : String(error));
    }
  }

  private async pollOnce(timeout: number): Promise<void> {
    const { baseUrl, token, fetch, handlers } = this.context;
    const query = channelQuery(this.channels, token);
    query.set('timeout', String(timeout));
    const response = await fetch(`${baseUrl}/poll?${query.toString()}`, { signal: this.abort.signal });
    if (!response.ok) {
      const error = await httpError(response);
      // Polling has no close codes: a 401/403 is what /sse sends as 4003, and is handled as one.
      return this.end(refusalCloseCode(error), `${error.code}: ${error.message}`);
    }
    const body = (await response.json()) as PollAnswer;
    if (this.ended) return;
    const cursors = parseCursors(body.cursors ?? '');
    const unrecovered = new Set(body.unrecovered ?? []);
    if (!this.opened) {
      this.opened = true;
      // A channel the token does not allow is refused alone (1.1): it is reported once, and the
      // client drops it from the next request it makes.
      const refused = new Map((body.refused ?? []).map((entry) => [entry.channel, entry.code]));
      handlers.onOpen(this.id);
      handlers.onFrame(this.id, {
        type: 'connected',
        client: '',
        user: '',
        subscriptions: this.channels.map((request, index) => {
          const code = refused.get(request.channel);
          if (code !== undefined) {
            const known = isHeraldErrorCode(code) ? code : HeraldErrorCode.PermissionDenied;
            return { channel: request.channel, error: { code: known, message: `${String(code)}: /poll refused ${request.channel}` } };
          }
          const at = positionBefore(request, cursors[index], unrecovered.has(request.channel));
          return { type: 'subscribed', channel: request.channel, ...at };
        }),
      });
    } else {
      for (const [index, request] of this.channels.entries()) {
        const cursor = cursors[index];
        if (unrecovered.has(request.channel) && cursor) {
          handlers.onFrame(this.id, { type: 'subscribed', channel: request.channel, ...cursor, recovered: false });
        }
      }
    }
    for (const item of body.publications ?? []) {
      const publication = toPublication(item);
      if (publication && !this.ended) handlers.onFrame(this.id, { ...publication, kind: 'publication' });
    }
    this.channels = this.channels.map((request, index) => {
      const cursor = cursors[index];
      return cursor ? { channel: request.channel, since: cursor } : request;
    });
  }

  private end(code: ConnectionCloseCode, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.context.handlers.onClose(this.id, code, reason, this.opened);
  }
}

/** The body of a `/poll` answer. */
interface PollAnswer {
  readonly publications?: unknown[];
  readonly cursors?: string;
  readonly unrecovered?: string[];
  readonly refused?: Array<{ readonly channel: string; readonly code: unknown }>;
}

/** Where a channel stood before the first reply's publications, as a `subscribed` frame says it. */
function positionBefore(
  request: ChannelRequest,
  cursor: StreamPosition | undefined,
  unrecovered: boolean,
): StreamPosition & { recovered?: boolean } {
  if (request.since && !unrecovered) return { ...request.since, recovered: true };
  const at = cursor ?? { offset: 0, epoch: '' };
  return request.since ? { ...at, recovered: false } : at;
}
