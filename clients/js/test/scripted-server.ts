/**
 * A real WebSocket server (the `ws` package, in-process) whose replies each test scripts, for the
 * client behaviours that need precise control of time and frames: heartbeats, close codes,
 * duplicates. Everything the client sends is recorded.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { PageLifecycle } from '../src/index.js';

export interface ScriptedConnection {
  readonly received: Array<Record<string, unknown>>;
  readonly url: string;
  send(frame: Record<string, unknown>): void;
  close(code: number, reason?: string): void;
  /** Sends `disconnect` then closes with the same code, as the Herald server does. */
  disconnect(code: number, reason: string, reconnect: boolean): void;
  /** Drops the TCP connection without a close frame. */
  drop(): void;
}

export interface Script {
  /** Answer `connect` with `connected` (default true). */
  answerConnect?: boolean;
  /** Fields added to each `connected` (e.g. `subscriptions` of a token claim). */
  connected?: Record<string, unknown>;
  /** Answer `ping` with `pong` (default true). */
  answerPing?: boolean;
  /** Answer `subscribe` (default: `subscribed` at offset 0, epoch "e1", `recovered` as given by `recover`). */
  recover?: (since: { offset: number; epoch: string }) => boolean;
  /** Fields added to each `subscribed` reply (e.g. a subscribe proxy's `data`). */
  subscribed?: Record<string, unknown>;
  /** Answers `rpc` with the frame it returns, the command's id added (default: no answer). */
  rpc?: (command: Record<string, unknown>) => Record<string, unknown>;
  /** Answer `publish` with `published` at increasing offsets (default true). */
  answerPublish?: boolean;
}

export class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  readonly url: string;
  private offset = 0;

  private constructor(
    private readonly wss: WebSocketServer,
    port: number,
    public script: Script,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    wss.on('connection', (socket, request) => this.accept(socket, request.url ?? ''));
  }

  static async start(script: Script = {}): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const address = wss.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    return new ScriptedServer(wss, address.port, script);
  }

  get last(): ScriptedConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: string): void {
    const received: Array<Record<string, unknown>> = [];
    const send = (frame: Record<string, unknown>) => socket.send(JSON.stringify(frame));
    const connection: ScriptedConnection = {
      received,
      url,
      send,
      close: (code, reason = '') => socket.close(code, reason),
      disconnect: (code, reason, reconnect) => {
        send({ type: 'disconnect', code, reason, reconnect });
        socket.close(code, reason);
      },
      drop: () => socket.terminate(),
    };
    this.connections.push(connection);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Record<string, unknown>;
      received.push(frame);
      this.answer(frame, send);
    });
  }

  private answer(frame: Record<string, unknown>, send: (frame: Record<string, unknown>) => void): void {
    const { id } = frame;
    switch (frame.type) {
      case 'connect':
        if (this.script.answerConnect !== false) send({ type: 'connected', id, client: 'c_1', user: '42', ping: 25, ...this.script.connected });
        break;
      case 'ping':
        if (this.script.answerPing !== false) send({ type: 'pong', id });
        break;
      case 'subscribe': {
        const since = frame.since as { offset: number; epoch: string } | undefined;
        const recovered = since ? (this.script.recover?.(since) ?? true) : undefined;
        send({ type: 'subscribed', id, channel: frame.channel, offset: since && recovered ? since.offset : 0, epoch: 'e1', ...(since ? { recovered } : {}), ...this.script.subscribed });
        break;
      }
      case 'rpc':
        if (this.script.rpc) send({ ...this.script.rpc(frame), id });
        break;
      case 'publish':
        if (this.script.answerPublish !== false) send({ type: 'published', id, channel: frame.channel, offset: ++this.offset });
        break;
    }
  }
}

/** Waits on real time (fake timers do not touch setImmediate or performance.now). */
export async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

export function publication(channel: string, offset: number, data: unknown = offset, epoch = 'e1'): Record<string, unknown> {
  return { type: 'tick', channel, data, offset, epoch, timestamp: new Date(0).toISOString() };
}

/** A page whose visibility and online events the test fires. */
export class FakePage implements PageLifecycle {
  hidden = false;
  private visibility: Array<() => void> = [];
  private online: Array<() => void> = [];
  isHidden = () => this.hidden;
  onVisibilityChange = (cb: () => void) => (this.visibility.push(cb), () => undefined);
  onOnline = (cb: () => void) => (this.online.push(cb), () => undefined);
  setHidden(hidden: boolean) {
    this.hidden = hidden;
    for (const cb of this.visibility) cb();
  }
  goOnline() {
    for (const cb of this.online) cb();
  }
}
