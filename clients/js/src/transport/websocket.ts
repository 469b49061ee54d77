import { parseFrame, type ClientCommand } from '../protocol.js';
import { LocalCloseCode, type Transport, type TransportContext } from './transport.js';

const OPEN = 1;

/** The WebSocket transport: one socket on `/ws`, JSON text frames both ways. */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly bidirectional = true;
  readonly id: number;
  private readonly socket: WebSocketLikeSocket;
  private opened = false;
  private ended = false;

  constructor(context: TransportContext) {
    this.id = context.id;
    const Impl = context.WebSocket;
    if (!Impl) {
      throw new Error('no WebSocket implementation: pass one as the WebSocket option (e.g. from the ws package)');
    }
    const url = context.baseUrl.replace(/^http/, 'ws') + '/ws';
    const socket = new Impl(url) as unknown as WebSocketLikeSocket;
    this.socket = socket;
    const { handlers } = context;
    socket.onopen = () => {
      this.opened = true;
      handlers.onOpen(this.id);
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const frame = parseFrame(event.data);
      if (frame) handlers.onFrame(this.id, frame);
    };
    socket.onclose = (event) => {
      if (this.ended) return;
      this.ended = true;
      handlers.onClose(this.id, event.code || LocalCloseCode.Abnormal, event.reason || '', this.opened);
    };
    // An error is always followed by close, which carries what the app needs.
    socket.onerror = () => undefined;
  }

  send(command: ClientCommand): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(command));
  }

  close(): void {
    this.ended = true;
    this.socket.onopen = null;
    this.socket.onmessage = null;
    try {
      this.socket.close(1000, 'client closed');
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is gone either way.
    }
  }

  setPaused(): void {
    // The server keeps pinging a hidden tab's socket; nothing to pause here.
  }
}

/** The socket as this transport uses it: typed handlers on top of WebSocketLike. */
interface WebSocketLikeSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}
