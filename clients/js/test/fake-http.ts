/**
 * An in-memory `fetch` for the one-way transports (SSE and polling) under fake timers: each
 * `/sse` request becomes a stream the test writes frames to, each `/poll` request is answered by
 * the test's `poll` function (by default: held open until the client aborts it, as a long-poll
 * with nothing to say).
 */
import type { FetchLike } from '../src/index.js';

export interface FakeSseStream {
  readonly url: URL;
  /** Sends one event: a `data:` line with the frame, and the blank line that ends it. */
  send(frame: Record<string, unknown>): void;
  /** Ends the response body, as the server does after a `disconnect`. */
  end(): void;
}

export type PollAnswer = (url: URL, signal: AbortSignal | undefined) => Promise<Response>;

export class FakeHttp {
  readonly requests: URL[] = [];
  readonly streams: FakeSseStream[] = [];
  poll: PollAnswer = (_url, signal) => held(signal);

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    this.requests.push(url);
    const signal = init?.signal ?? undefined;
    if (url.pathname === '/poll') return this.poll(url, signal);
    if (url.pathname !== '/sse') return json(404, { error: { code: 'not_found', message: url.pathname } });
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    let open = true;
    signal?.addEventListener('abort', () => {
      if (open) controller.error(new DOMException('aborted', 'AbortError'));
      open = false;
    });
    const encoder = new TextEncoder();
    this.streams.push({
      url,
      send: (frame) => open && controller.enqueue(encoder.encode(`data: ${JSON.stringify(frame)}\n\n`)),
      end: () => {
        if (open) controller.close();
        open = false;
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };

  get lastStream(): FakeSseStream {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no /sse request yet');
    return stream;
  }

  count(path: '/sse' | '/poll'): number {
    return this.requests.filter((url) => url.pathname === path).length;
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A response that never comes: rejects once the client aborts the request. */
export function held(signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
}
