/**
 * The seed's hand-written hook, changed as little as Herald needs (docs/migrating-from-websocket.md):
 * the browser's own WebSocket, messages routed on `message.type`, and no Herald package. What
 * changed from a plain `ws` server: the token in the URL, one `subscribe` message, JSON ping/pong,
 * the `disconnect` push and close codes deciding whether to reconnect, and `since` on resubscribe
 * so a reconnect replays what was missed or says to refetch.
 */
import { useEffect, useRef, useState } from 'react';

export type SocketStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/** An application event as Herald delivers it. */
export interface HeraldMessage {
  readonly type: string;
  readonly channel: string;
  readonly data: unknown;
  readonly offset: number;
  readonly epoch: string;
  readonly timestamp: string;
}

export interface HeraldSocketOptions {
  /** Herald's base URL, e.g. https://rt.example.com (the hook adds /ws). */
  readonly url: string;
  readonly channel: string;
  /** A fresh token from your backend (called for every connection and on refresh_required). */
  readonly getToken: () => Promise<string>;
  /** Handlers by event type: what the seed's `subscribe(type, handler)` did. */
  readonly on: Readonly<Record<string, (data: never, message: HeraldMessage) => void>>;
  /** Called when events may have been missed: after the first subscribe and when `since` could not be recovered. Refetch here. */
  readonly onResync: () => void;
}

// Close codes of Herald's protocol (PROTOCOL.md, "Close codes") after which reconnecting is pointless.
const BAD_REQUEST_FLOOD = 4001;
const UNAUTHORIZED = 4003;
const APPLICATION_DISCONNECT = 4010;
const PING_INTERVAL_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;

export function useHeraldSocket(options: HeraldSocketOptions) {
  const [status, setStatus] = useState<SocketStatus>('connecting');
  const [client, setClient] = useState<string>();
  const [lastError, setLastError] = useState<string>();
  const latest = useRef(options);
  latest.current = options;
  const { url, channel } = options;

  useEffect(() => {
    let ws: WebSocket | undefined;
    let stopped = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let pingTimer: ReturnType<typeof setInterval> | undefined;
    /** Where this page is in the channel: sent as `since` when it subscribes again. */
    let position: { offset: number; epoch: string } | undefined;
    let unauthorizedBefore = false;

    const send = (message: object) => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));
    const subscribe = () => send({ type: 'subscribe', channel, ...(position ? { since: position } : {}) });

    function retry() {
      attempt += 1;
      setStatus('reconnecting');
      // Full jitter, so a thousand pages do not come back in the same millisecond after a restart.
      retryTimer = setTimeout(open, Math.random() * Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt));
    }

    async function open() {
      let token: string;
      try {
        token = await latest.current.getToken();
      } catch (error) {
        setLastError(`no token: ${String(error)}`);
        return retry();
      }
      if (stopped) return;
      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
      ws = socket;
      let lastFrameAt = Date.now();
      let disconnect: { code: number; reason: string; reconnect: boolean } | undefined;

      socket.onmessage = (event: MessageEvent<string>) => {
        lastFrameAt = Date.now();
        const message = JSON.parse(event.data) as Record<string, unknown> & HeraldMessage;
        switch (message.type) {
          case 'connected': // sent at once: the token in the URL was accepted
            attempt = 0;
            unauthorizedBefore = false;
            setClient(String(message['client']));
            return subscribe();
          case 'subscribed':
            // recovered: the missed events follow now, in order. Not recovered (or the first time): refetch.
            if (!position || message['recovered'] !== true) {
              position = { offset: message.offset, epoch: message.epoch };
              latest.current.onResync();
            }
            setLastError(undefined);
            return setStatus('live');
          case 'unsubscribed': // the server ended it; `resubscribe` asks to come back with since
            if (message['resubscribe'] === true) return subscribe();
            return setStatus('stopped');
          case 'refresh_required':
            return void latest.current.getToken().then((fresh) => send({ type: 'refresh', token: fresh }));
          case 'error':
            return setLastError(`${String(message['code'])}: ${String(message['message'])}`);
          case 'disconnect': // the close with the same code follows
            disconnect = message as unknown as typeof disconnect;
            return;
          case 'pong':
          case 'refreshed':
            return;
          default:
            if (message.channel !== channel) return;
            position = { offset: message.offset, epoch: message.epoch };
            latest.current.on[message.type]?.(message.data as never, message);
        }
      };

      // A dead server sends nothing: ask every PING_INTERVAL_MS, give up when nothing came back.
      pingTimer = setInterval(() => {
        if (Date.now() - lastFrameAt > PING_INTERVAL_MS + PONG_TIMEOUT_MS) socket.close();
        else send({ type: 'ping' });
      }, PING_INTERVAL_MS);

      socket.onclose = (event) => {
        clearInterval(pingTimer);
        if (stopped || ws !== socket) return;
        const code = disconnect?.code ?? event.code;
        // 1006 has no reason: the network, a dead server, or an upgrade refused (an origin not in allowed_origins).
        const reason = disconnect?.reason || event.reason || (code === 1006 ? 'connection lost or refused' : 'closed');
        setLastError(`closed ${code}: ${reason}`);
        // 4003: a bad or expired token: one more try with a fresh one, not forever.
        if (code === UNAUTHORIZED && !unauthorizedBefore) {
          unauthorizedBefore = true;
          return retry();
        }
        const reconnect = disconnect?.reconnect ?? ![BAD_REQUEST_FLOOD, UNAUTHORIZED, APPLICATION_DISCONNECT].includes(code);
        if (!reconnect) return setStatus('stopped');
        retry();
      };
    }

    void open();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      ws?.close(1000);
    };
  }, [url, channel]);

  return { status, client, lastError };
}
