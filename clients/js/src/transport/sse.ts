import { isPublication, toFrame } from '../protocol.js';
import { channelQuery, httpError, refusalCloseCode } from './http.js';
import { LocalCloseCode, type ConnectionCloseCode, type Transport, type TransportContext } from './transport.js';

/**
 * Server-Sent Events over `fetch` streaming (works in browsers and Node 20 alike, and unlike
 * `EventSource` it sees the HTTP status). The channel list is fixed per transport: the client
 * opens a new one, with cursors, when its subscriptions change. Commands go over HTTP instead.
 */
export class SseTransport implements Transport {
  readonly kind = 'sse';
  readonly bidirectional = false;
  readonly id: number;
  private readonly abort = new AbortController();
  private readonly context: TransportContext;
  private opened = false;
  private ended = false;

  constructor(context: TransportContext) {
    this.id = context.id;
    this.context = context;
    void this.run();
  }

  send(): void {
    throw new Error('SSE carries no commands; the client sends them over HTTP');
  }

  close(): void {
    this.ended = true;
    this.abort.abort();
  }

  setPaused(): void {
    // A paused stream would only pile up on the server; it stays open.
  }

  private async run(): Promise<void> {
    const { baseUrl, token, channels, fetch } = this.context;
    const url = `${baseUrl}/sse?${channelQuery(channels, token).toString()}`;
    try {
      const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: this.abort.signal });
      if (!response.ok || !response.body) {
        const error = await httpError(response);
        return this.end(refusalCloseCode(error), `${error.code}: ${error.message}`);
      }
      await this.read(response.body);
      this.end(LocalCloseCode.Abnormal, 'event stream ended');
    } catch (error) {
      this.end(LocalCloseCode.Abnormal, error instanceof Error ? error.message : String(error));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) this.dispatch(data.join('\n'));
          data = [];
        } else if (line.startsWith(':')) {
          continue; // keep-alive comment
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          // `id:` (the cursors) is for EventSource's Last-Event-ID; this client tracks positions per publication.
          if (field === 'data') data.push(fieldValue);
        }
      }
    }
  }

  private dispatch(text: string): void {
    if (this.ended) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    const frame = toFrame(value);
    if (!frame) return;
    if (!isPublication(frame) && frame.type === 'connected') {
      this.opened = true;
      this.context.handlers.onOpen(this.id);
      this.context.handlers.onFrame(this.id, frame);
      return;
    }
    this.context.handlers.onFrame(this.id, frame);
    if (!isPublication(frame) && frame.type === 'disconnect') this.end(frame.code, frame.reason);
  }

  private end(code: ConnectionCloseCode, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.context.handlers.onClose(this.id, code, reason, this.opened);
  }
}
