import { Backoff } from './backoff.js';
import { PendingReplies, PublishQueue, type PublishResult, type QueuedPublish } from './commands.js';
import { Credentials } from './credentials.js';
import { withDefaults, type ClientOptions, type ClientSettings } from './options.js';
import { Emitter } from './emitter.js';
import { ClientErrorCode, ClientReason, HeraldError } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { browserLifecycle, type PageLifecycle } from './lifecycle.js';
import { ReconnectTimer, type ReconnectAttempt } from './reconnect.js';
import {
  CloseCode,
  HeraldErrorCode,
  isPublication,
  isRefusedSubscription,
  reconnectAllowed,
  RPC_METHOD,
  UnsubscribeReason,
  type ClientCommand,
  type ConnectedFrame,
  type DisconnectFrame,
  type Json,
  type PresenceClient,
  type RefusedSubscription,
  type ServerFrame,
  type StreamPosition,
  type SubscribedFrame,
} from './protocol.js';
import { Subscription, type ChannelEvents, type StateChange, type SubscriptionHost } from './subscription.js';
import { httpPublish, httpRpc } from './transport/http.js';
import { PollingTransport } from './transport/polling.js';
import { SseTransport } from './transport/sse.js';
import {
  LocalCloseCode,
  type ConnectionCloseCode,
  type FetchLike,
  type Transport,
  type TransportContext,
  type TransportHandlers,
  type TransportKind,
  type WebSocketConstructor,
} from './transport/transport.js';
import { WebSocketTransport } from './transport/websocket.js';

export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ConnectedInfo {
  readonly client: string;
  readonly user: string;
  readonly transport: TransportKind;
  /** `connected.data`: what the server's connect proxy gave for this connection (WebSocket and SSE). */
  readonly data?: Json;
}

export type ClientEvents = {
  /** Every state change, with the close code and reason behind it when there is one. */
  state: [StateChange<ClientState, ConnectionCloseCode>];
  connected: [ConnectedInfo];
  /** Errors not tied to one command or subscription: refused token, failed refresh, unexpected server error. */
  error: [HeraldError];
  /**
   * While `reconnecting`, every change of the reconnect schedule: an attempt scheduled (with
   * `at`, the first one right after the `state` change to `reconnecting`) and an attempt started
   * (no `at`: the wait ran out, or `reconnectNow()` or the page's online/visible event skipped it).
   */
  reconnect: [ReconnectAttempt];
};

type Timer = ReturnType<typeof setTimeout>;

/**
 * The Herald client. States: `disconnected` → `connecting` → `connected`; a lost connection goes
 * to `reconnecting` (backoff timer) and back to `connected`; `closed` is final. One `state` event
 * reports every change with the close code and reason behind it.
 *
 * Not thread-safe in any sense that matters for JS: everything runs on the caller's event loop.
 */
export class HeraldClient {
  private currentState: ClientState = 'disconnected';
  private readonly events = new Emitter<ClientEvents>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new PendingReplies();
  private readonly queue: PublishQueue;
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;
  /** The options with `ClientDefaults` filled in. */
  private readonly settings: ClientSettings;
  private readonly baseUrl: string;
  private readonly lifecycle: PageLifecycle | undefined;
  private readonly lifecycleOff: Array<() => void> = [];
  private readonly credentials: Credentials;
  /** The live transport; callbacks from any other id are stale and ignored. */
  private transport: Transport | undefined;
  private transportSeq = 0;
  private transportIndex = 0;
  /** Index of the transport that last reached `connected`; reconnects stick to it. */
  private workingIndex: number | undefined;
  /** The backoff wait and the attempt count; its timer starts the attempt while still `reconnecting`. */
  private readonly reconnects = new ReconnectTimer(() => {
    if (this.currentState === 'reconnecting') void this.openTransport();
  });
  private connectTimer: Timer | undefined;
  private reopenScheduled = false;
  private lastDisconnect: DisconnectFrame | undefined;
  private httpChain: Promise<unknown> = Promise.resolve();
  private info: ConnectedInfo | undefined;
  /** The last error or close reason, for status displays. */
  lastError: HeraldError | undefined;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '').replace(/^ws/, 'http');
    this.credentials = new Credentials(options.token, options.getToken);
    const settings = (this.settings = withDefaults(options));
    if (!(Number.isInteger(settings.maxReconnectAttempts) && settings.maxReconnectAttempts >= 0)) {
      throw new RangeError(`maxReconnectAttempts must be a whole number >= 0, got ${settings.maxReconnectAttempts}`);
    }
    this.backoff = new Backoff({
      minDelay: settings.minReconnectDelay,
      maxDelay: settings.maxReconnectDelay,
      ...(options.random ? { random: options.random } : {}),
    });
    this.queue = new PublishQueue(settings.maxQueuedPublishes, settings.publishTimeout);
    this.heartbeat = new Heartbeat(
      settings.pingInterval,
      settings.pongTimeout,
      () => this.transport?.send({ type: 'ping' }),
      () => this.transportFailed(LocalCloseCode.HeartbeatTimeout, 'no answer to ping in time'),
    );
    this.lifecycle = options.lifecycle === null ? undefined : (options.lifecycle ?? browserLifecycle());
  }

  get state(): ClientState {
    return this.currentState;
  }

  /** The transport in use (or being tried), if any. */
  get transportKind(): TransportKind | undefined {
    return this.transport?.kind;
  }

  /** Connection details from the last `connected`. */
  get connection(): ConnectedInfo | undefined {
    return this.info;
  }

  /** When the next reconnect attempt starts (ms since epoch), while `reconnecting` and waiting. */
  get nextReconnectAt(): number | undefined {
    return this.reconnects.at;
  }

  /** While `reconnecting`, the number of the attempt waited for or under way (1, 2, …); else 0. */
  get reconnectAttempt(): number {
    return this.currentState === 'reconnecting' ? this.reconnects.attempt : 0;
  }

  /**
   * True when the server refused the token because it expired and there is no `getToken` to ask
   * for another: `connect()` and `reconnectNow()` do nothing (sending it again cannot work, the
   * protocol's 4003) until `setToken()` gives the client a new one.
   */
  get needsNewToken(): boolean {
    return this.credentials.needsNewToken;
  }

  /**
   * Replaces the token for the next connection (a page that got a new `?token=`, say); undefined
   * goes back to `getToken` or an anonymous or cookie connect. A live connection keeps going with
   * the token it has; after a refusal call `connect()` to use the new one.
   */
  setToken(token: string | undefined): void {
    this.credentials.set(token);
  }

  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Starts connecting; does nothing unless `disconnected`. */
  connect(): void {
    if (this.currentState === 'closed') throw new HeraldError(ClientErrorCode.Closed, 'client is closed');
    if (this.currentState !== 'disconnected') return;
    if (this.needsNewToken) {
      // The server refused this very token as expired: another try would only be refused again.
      if (this.lastError) this.events.emit('error', this.lastError);
      return;
    }
    this.watchLifecycle();
    this.reconnects.reset();
    this.setState('connecting');
    void this.openTransport();
  }

  /** Drops the connection and stays disconnected; subscriptions resume on the next connect(). */
  disconnect(): void {
    if (this.currentState === 'closed' || this.currentState === 'disconnected') return;
    this.endTransport();
    this.setState('disconnected', undefined, ClientReason.DisconnectCalled);
    this.subscriptionsInterrupted(undefined, 'client disconnected');
  }

  /** Disconnects for good: queued publishes and waiting commands are rejected. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.endTransport();
    for (const off of this.lifecycleOff.splice(0)) off();
    const closed = new HeraldError(ClientErrorCode.Closed, 'client closed');
    this.queue.rejectAll(closed);
    this.pending.rejectAll(closed);
    for (const sub of this.subscriptions.values()) sub.setState('unsubscribed', undefined, 'client closed');
    this.setState('closed', undefined, ClientReason.CloseCalled);
  }

  /**
   * Skips the backoff wait, or connects when `disconnected` (a "retry now" button: the app's own
   * call, like `connect()`). The page's online and visibility events only skip a wait: they never
   * undo a disconnect (the app's `disconnect()`, a 4010 or a refused token).
   */
  reconnectNow(): void {
    if (this.currentState === 'disconnected') this.connect();
    else this.skipBackoffWait();
  }

  private skipBackoffWait(): void {
    if (this.currentState !== 'reconnecting' || !this.reconnects.cancel()) return;
    void this.openTransport();
  }

  /** The subscription of a channel, created and subscribed on first use. */
  channel<E extends ChannelEvents = ChannelEvents>(name: string, options: { subscribe?: boolean } = {}): Subscription<E> {
    let sub = this.subscriptions.get(name);
    if (!sub) {
      sub = new Subscription(name, this.host);
      this.subscriptions.set(name, sub);
    }
    if (options.subscribe !== false) sub.subscribe();
    return sub as unknown as Subscription<E>;
  }

  /** Publishes from the client; queued while not connected, sent in call order. */
  publish(channel: string, event: string, data: unknown): Promise<PublishResult> {
    if (this.currentState === 'closed') return Promise.reject(new HeraldError(ClientErrorCode.Closed, 'client is closed'));
    const { entry, promise } = this.queue.create(channel, event, data);
    if (this.currentState === 'connected' && this.queue.size === 0) this.sendPublish(entry);
    else this.queue.enqueue(entry);
    return promise;
  }

  /** Who is subscribed to a channel (WebSocket only: SSE and polling have no presence command). */
  async presence(channel: string): Promise<PresenceClient[]> {
    const reply = await this.request({ type: 'presence', channel });
    return !isPublication(reply) && reply.type === 'presence' ? [...reply.clients] : [];
  }

  /** A channel's held publications (WebSocket only). */
  async history(channel: string, options: { since?: StreamPosition; limit?: number } = {}) {
    const reply = await this.request({ type: 'history', channel, ...options });
    if (isPublication(reply) || reply.type !== 'history') throw new HeraldError(ClientErrorCode.BadResponse, `expected history, got ${reply.type}`);
    return reply;
  }

  /**
   * Calls `method` on the backend through the server's rpc proxy and resolves with the answer's
   * `data` (null when it gave none). Rejects with a HeraldError: the server's or backend's code
   * (`not_available` where the server has no rpc proxy, `permission_denied`, …), `timeout` when
   * no answer comes within `timeout` ms (default `requestTimeout`; the call may still have been
   * made), `connection_lost` when the connection drops first or the client is not connected.
   * On SSE and polling it is a `POST /rpc`, with the token or else the page's cookies.
   */
  async rpc<T = Json>(method: string, data?: unknown, options: { timeout?: number } = {}): Promise<T> {
    if (this.currentState === 'closed') throw new HeraldError(ClientErrorCode.Closed, 'client is closed');
    if (!RPC_METHOD.test(method)) {
      throw new HeraldError(HeraldErrorCode.BadRequest, `rpc method must be 1–64 of A-Z a-z 0-9 _ . : - (got ${JSON.stringify(method)})`);
    }
    const transport = this.transport;
    if (this.currentState !== 'connected' || !transport) {
      throw new HeraldError(ClientErrorCode.ConnectionLost, `not connected (state ${this.currentState})`, true);
    }
    const timeout = options.timeout ?? this.settings.requestTimeout;
    const command = { method, ...(data === undefined ? {} : { data }) };
    if (transport.bidirectional) {
      const { id, reply } = this.pending.register(timeout);
      transport.send({ type: 'rpc', id, ...command });
      const frame = await reply;
      if (isPublication(frame) || frame.type !== 'rpc') throw new HeraldError(ClientErrorCode.BadResponse, `expected rpc, got ${frame.type}`);
      return frame.data as T;
    }
    return (await httpRpc(this.fetchImpl, this.baseUrl, this.credentials.token, command, timeout)) as T;
  }

  private readonly host: SubscriptionHost = {
    subscribeRequested: (channel) => {
      const sub = this.subscriptions.get(channel);
      if (!sub || this.currentState !== 'connected' || !this.transport) return;
      if (this.transport.bidirectional) this.sendSubscribe(sub);
      else this.scheduleReopen();
    },
    unsubscribeRequested: (channel) => {
      if (this.currentState !== 'connected' || !this.transport) return;
      if (this.transport.bidirectional) {
        const { id, reply } = this.pending.register(this.settings.requestTimeout);
        reply.catch(() => undefined); // not_subscribed after a race is harmless
        this.transport.send({ type: 'unsubscribe', id, channel });
      } else {
        this.scheduleReopen();
      }
    },
    publish: (channel, event, data) => this.publish(channel, event, data),
    presence: (channel) => this.presence(channel),
  };

  private async request(command: ClientCommand): Promise<ServerFrame> {
    const transport = this.transport;
    if (this.currentState !== 'connected' || !transport) {
      throw new HeraldError(ClientErrorCode.ConnectionLost, `not connected (state ${this.currentState})`, true);
    }
    if (!transport.bidirectional) {
      throw new HeraldError(HeraldErrorCode.NotAvailable, `${command.type} needs the WebSocket transport (using ${transport.kind})`);
    }
    const { id, reply } = this.pending.register(this.settings.requestTimeout);
    transport.send({ ...command, id });
    return reply;
  }

  private async openTransport(): Promise<void> {
    this.reconnects.cancel();
    if (this.currentState === 'reconnecting') this.events.emit('reconnect', this.reconnects.snapshot);
    if (this.credentials.token === undefined && this.options.getToken) {
      try {
        await this.credentials.forConnect();
      } catch (error) {
        this.lastError = error instanceof HeraldError ? error : new HeraldError(HeraldErrorCode.Unauthorized, String(error), true);
        this.events.emit('error', this.lastError);
        return this.transportEnded(LocalCloseCode.Abnormal, this.lastError.message, true);
      }
      if (this.currentState !== 'connecting' && this.currentState !== 'reconnecting') return;
    }
    const transports = this.settings.transports;
    const kind = transports[this.transportIndex % transports.length] ?? 'websocket';
    const context: TransportContext = {
      id: ++this.transportSeq,
      baseUrl: this.baseUrl,
      token: this.credentials.token,
      channels: kind === 'websocket' ? [] : this.channelRequests(),
      handlers: this.handlers,
      WebSocket: this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
      fetch: this.fetchImpl,
      pollTimeout: this.settings.pollTimeout,
    };
    this.lastDisconnect = undefined;
    try {
      this.transport = kind === 'websocket' ? new WebSocketTransport(context) : kind === 'sse' ? new SseTransport(context) : new PollingTransport(context);
    } catch (error) {
      this.lastError = new HeraldError(ClientErrorCode.TransportUnavailable, error instanceof Error ? error.message : String(error));
      return this.transportEnded(LocalCloseCode.Abnormal, this.lastError.message, false);
    }
    this.transport.setPaused(this.lifecycle?.isHidden() ?? false);
    const timeout = this.settings.connectTimeout;
    this.connectTimer = setTimeout(() => this.transportFailed(LocalCloseCode.ConnectTimeout, `not connected within ${timeout} ms`, false), timeout);
  }

  private readonly handlers: TransportHandlers = {
    onOpen: (id) => {
      if (id !== this.transport?.id || !this.transport.bidirectional) return;
      const since: Record<string, StreamPosition> = {};
      for (const sub of this.subscriptions.values()) {
        if (sub.serverSide && sub.position) since[sub.channel] = sub.position;
      }
      const token = this.credentials.token;
      this.transport.send({
        type: 'connect',
        ...(token ? { token } : {}),
        ...(this.options.name ? { name: this.options.name } : {}),
        ...(this.options.version ? { version: this.options.version } : {}),
        ...(Object.keys(since).length ? { since } : {}),
        ...(this.options.connectData === undefined ? {} : { data: this.options.connectData }),
      });
    },
    onFrame: (id, frame) => {
      if (id !== this.transport?.id) return;
      this.heartbeat.frameReceived();
      this.handleFrame(frame);
    },
    onClose: (id, code, reason, opened) => {
      if (id !== this.transport?.id) return;
      this.transport = undefined;
      this.transportEnded(code, reason, opened);
    },
  };

  private handleFrame(frame: ServerFrame): void {
    if (isPublication(frame)) return this.subscriptions.get(frame.channel)?.deliver(frame);
    if ('id' in frame && frame.id !== undefined && frame.type !== 'subscribed' && this.pending.settle(frame.id, frame)) return;
    switch (frame.type) {
      case 'connected':
        return this.connected(frame);
      case 'subscribed':
        return this.subscribed(frame);
      case 'unsubscribed': {
        if (frame.id !== undefined) return; // reply to our unsubscribe: the state already moved
        const sub = this.subscriptions.get(frame.channel);
        if (!sub) return;
        if (frame.resubscribe) {
          sub.setState('subscribing', frame.reason ?? UnsubscribeReason.InsufficientState, frame.reason);
          this.host.subscribeRequested(sub.channel);
        } else {
          sub.setState('unsubscribed', frame.reason, frame.reason);
          sub.serverSide = false;
        }
        return;
      }
      case 'refresh_required':
        return void this.refreshToken();
      case 'disconnect':
        this.lastDisconnect = frame;
        return;
      case 'join':
      case 'leave':
        return this.subscriptions.get(frame.channel)?.presenceChanged(frame.type, frame);
      case 'error': {
        const error = new HeraldError(frame.code, frame.message, frame.temporary);
        // An SSE stream refusing one of its channels: that subscription ends, the stream goes on.
        const sub = frame.channel === undefined ? undefined : this.subscriptions.get(frame.channel);
        if (sub) return this.refused(sub, error);
        this.lastError = error;
        return this.events.emit('error', error);
      }
    }
  }

  private connected(frame: ConnectedFrame): void {
    if (!this.transport) return;
    clearTimeout(this.connectTimer);
    this.backoff.reset();
    this.reconnects.reset();
    this.credentials.connected();
    this.workingIndex = this.transportIndex;
    this.info = { client: frame.client, user: frame.user, transport: this.transport.kind, ...(frame.data === undefined ? {} : { data: frame.data }) };
    for (const entry of frame.subscriptions ?? []) {
      if (isRefusedSubscription(entry)) this.claimRefused(entry);
      else this.subscribed({ ...entry, type: 'subscribed' });
    }
    if (this.transport.bidirectional) {
      for (const sub of this.subscriptions.values()) {
        if (sub.state === 'subscribing' && !sub.serverSide) this.sendSubscribe(sub);
      }
      if (!(this.lifecycle?.isHidden() ?? false)) this.heartbeat.start();
    }
    const wasConnected = this.currentState === 'connected';
    this.setState('connected');
    if (!wasConnected) this.events.emit('connected', this.info);
    for (const entry of this.queue.drain()) this.sendPublish(entry);
  }

  private subscribed(frame: SubscribedFrame): void {
    let sub = this.subscriptions.get(frame.channel);
    if (frame.id !== undefined) {
      // A reply: only the subscribe this subscription still waits for counts.
      if (!sub || sub.requestId !== frame.id) return;
      this.pending.settle(frame.id, frame);
    } else if (this.transport?.bidirectional) {
      // A server-made subscription (token claim, server API).
      if (!sub) {
        sub = new Subscription(frame.channel, this.host);
        this.subscriptions.set(frame.channel, sub);
      }
      sub.serverSide = true;
      if (sub.state === 'unsubscribed') sub.setState('subscribing', undefined, 'subscribed by the server');
    } else if (!sub || sub.state === 'unsubscribed') {
      return;
    }
    sub.applySubscribed(frame);
  }

  /** A channel of the token's `subscribe` claim the server could not join. */
  private claimRefused(entry: RefusedSubscription): void {
    const error = new HeraldError(entry.error.code, entry.error.message, false);
    const sub = this.subscriptions.get(entry.channel);
    if (sub) return this.refused(sub, error);
    this.lastError = error;
    this.events.emit('error', error);
  }

  /** The server refused one subscription: it ends with the server's code; the connection goes on. */
  private refused(sub: Subscription, error: HeraldError): void {
    sub.failed(error);
    sub.serverSide = false;
    sub.setState('unsubscribed', error.code, error.message);
  }

  private sendSubscribe(sub: Subscription): void {
    const transport = this.transport;
    if (!transport) return;
    const { id, reply } = this.pending.register(this.settings.requestTimeout);
    sub.requestId = id;
    reply.catch((error: unknown) => {
      if (sub.requestId !== id || !(error instanceof HeraldError)) return;
      if (error.code === ClientErrorCode.ConnectionLost) return; // resubscribed after the reconnect
      sub.failed(error);
      if (error.temporary && this.currentState === 'connected') {
        setTimeout(() => sub.state === 'subscribing' && sub.requestId === id && this.host.subscribeRequested(sub.channel), this.backoff.next());
      } else if (!error.temporary) {
        sub.setState('unsubscribed', error.code, error.message);
      }
    });
    transport.send({ type: 'subscribe', id, channel: sub.channel, ...(sub.position ? { since: sub.position } : {}) });
  }

  private sendPublish(entry: QueuedPublish): void {
    const transport = this.transport;
    if (!transport) return this.queue.enqueue(entry);
    const { channel, event, data } = entry;
    if (!transport.bidirectional) {
      // One request at a time keeps the publishes in call order.
      const abort = new AbortController();
      this.httpChain = this.httpChain
        .then(() => (entry.pending ? httpPublish(this.fetchImpl, this.baseUrl, this.credentials.token, { channel, event, data }, abort.signal) : undefined))
        .then(
          (result) => result && entry.resolve({ channel, offset: result.offset }),
          (error: unknown) => entry.reject(error instanceof HeraldError ? error : new HeraldError(ClientErrorCode.ConnectionLost, String(error), true)),
        );
      return;
    }
    const { id, reply } = this.pending.register(this.settings.publishTimeout);
    reply.then(
      (frame) => entry.resolve({ channel, offset: !isPublication(frame) && frame.type === 'published' ? frame.offset : -1 }),
      (error: unknown) => entry.reject(error instanceof HeraldError ? error : new HeraldError(HeraldErrorCode.Internal, String(error))),
    );
    transport.send({ type: 'publish', id, channel, event, data });
  }

  /** The `fetch` of the one-way transports and HTTP commands, with the `credentials` option applied. */
  private get fetchImpl(): FetchLike {
    const base: FetchLike = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const credentials = this.options.credentials;
    return credentials ? (input, init) => base(input, { ...init, credentials }) : base;
  }

  private async refreshToken(): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.credentials.renew();
    } catch (error) {
      this.lastError = error instanceof HeraldError ? error : new HeraldError(HeraldErrorCode.Unauthorized, String(error), true);
      return this.events.emit('error', this.lastError);
    }
    if (token === undefined || !this.transport || this.currentState !== 'connected') return;
    if (!this.transport.bidirectional) return this.scheduleReopen();
    this.request({ type: 'refresh', token }).catch((error: unknown) => {
      if (error instanceof HeraldError) {
        this.lastError = error;
        this.events.emit('error', error);
      }
    });
  }

  /** One-way transports carry their channel list in the URL: a change needs a new stream. */
  private scheduleReopen(): void {
    if (this.reopenScheduled) return;
    this.reopenScheduled = true;
    queueMicrotask(() => {
      this.reopenScheduled = false;
      if (this.currentState !== 'connected' || !this.transport || this.transport.bidirectional) return;
      this.transport.close();
      this.transport = undefined;
      void this.openTransport();
    });
  }

  /** Channels a one-way transport asks for, with the positions to recover from. */
  private channelRequests() {
    return [...this.subscriptions.values()]
      .filter((sub) => sub.state !== 'unsubscribed')
      .map((sub) => ({ channel: sub.channel, ...(sub.position ? { since: sub.position } : {}) }));
  }

  private transportFailed(code: ConnectionCloseCode, reason: string, opened = true): void {
    const transport = this.transport;
    if (!transport) return;
    transport.close();
    this.transport = undefined;
    this.transportEnded(code, reason, opened);
  }

  /**
   * Decides what follows the end of a transport: reconnect, fall back, ask for a token, or stop.
   * The `disconnect` push before a close, when there was one, names the code, reason and
   * `reconnect`; the code alone decides otherwise (see `reconnectAllowed`). 4003 asks getToken;
   * any other close whose `reconnect` is false (4001, 4010 by default) stays `disconnected`
   * until the app calls `connect()`, with no getToken call and no retry.
   */
  private transportEnded(code: ConnectionCloseCode, reason: string, opened: boolean): void {
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    const disconnect = this.lastDisconnect;
    this.lastDisconnect = undefined;
    if (disconnect) {
      code = disconnect.code;
      reason = disconnect.reason;
    }
    this.pending.rejectAll(new HeraldError(ClientErrorCode.ConnectionLost, `connection lost (${code} ${reason})`, true));
    if (this.currentState === 'closed' || this.currentState === 'disconnected') return;
    const reconnect = code !== CloseCode.Unauthorized && reconnectAllowed(code, disconnect);
    this.lastError = new HeraldError(ClientErrorCode.ConnectionClosed, reason || `connection closed (${code})`, reconnect, code);
    this.subscriptionsInterrupted(code, reason);
    if (code === CloseCode.Unauthorized) return this.unauthorized(code, reason);
    if (!reconnect) {
      this.setState('disconnected', code, reason);
      return;
    }
    const transports = this.settings.transports;
    let delay: number;
    if (!opened && this.workingIndex === undefined && (this.transportIndex + 1) % transports.length !== 0) {
      this.transportIndex++; // this transport cannot get through: try the next one at once
      delay = 0;
    } else {
      if (!opened && this.workingIndex === undefined) this.transportIndex++;
      const limit = this.settings.maxReconnectAttempts;
      if (limit > 0 && this.reconnects.attempt >= limit) return this.gaveUp(code, reason);
      delay = this.backoff.next();
    }
    // The timer first, so state listeners can already read nextReconnectAt. Already
    // reconnecting, the state does not change: the `reconnect` event reports the new schedule.
    this.reconnects.schedule(delay);
    this.setState('reconnecting', code, reason);
    this.events.emit('reconnect', this.reconnects.snapshot);
  }

  /** `maxReconnectAttempts` reconnects failed: stay `disconnected` until the app's `connect()` or `reconnectNow()`. */
  private gaveUp(code: ConnectionCloseCode, reason: string): void {
    const last = reason || `close ${code}`;
    this.lastError = new HeraldError(ClientErrorCode.ReconnectLimit, `gave up after ${this.reconnects.attempt} reconnect attempts (last: ${last})`, true, code);
    this.events.emit('error', this.lastError);
    this.setState('disconnected', code, this.lastError.message);
  }

  /** 4003: the token is not good (any more). Reconnect only with a new one (see `Credentials.refused`). */
  private unauthorized(code: ConnectionCloseCode, reason: string): void {
    const { error, retry } = this.credentials.refused(code, reason);
    this.lastError = error;
    this.events.emit('error', error);
    this.setState('disconnected', code, error.message);
    if (retry) this.connect();
  }

  private subscriptionsInterrupted(code: ConnectionCloseCode | undefined, reason: string): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.state === 'subscribed') sub.setState('subscribing', code, reason || 'connection lost');
    }
  }

  private endTransport(): void {
    this.reconnects.cancel();
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    this.transport?.close();
    this.transport = undefined;
    this.pending.rejectAll(new HeraldError(ClientErrorCode.ConnectionLost, 'client disconnected', true));
  }

  private watchLifecycle(): void {
    const lifecycle = this.lifecycle;
    if (!lifecycle || this.lifecycleOff.length) return;
    this.lifecycleOff.push(
      lifecycle.onVisibilityChange(() => {
        const hidden = lifecycle.isHidden();
        this.transport?.setPaused(hidden);
        if (hidden) {
          // Background tabs throttle timers: a late pong check would kill a healthy socket.
          this.heartbeat.stop();
        } else {
          if (this.currentState === 'connected' && this.transport?.bidirectional) this.heartbeat.start();
          this.skipBackoffWait();
        }
      }),
      lifecycle.onOnline(() => this.skipBackoffWait()),
    );
  }

  private setState(next: ClientState, code?: ConnectionCloseCode, reason?: string): void {
    const old = this.currentState;
    if (old === next) return;
    this.currentState = next;
    this.events.emit('state', { old, new: next, ...(code === undefined ? {} : { code }), ...(reason ? { reason } : {}) });
  }
}
