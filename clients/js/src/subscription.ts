import type { PublishResult } from './commands.js';
import { Emitter } from './emitter.js';
import type { ClientErrorCode, HeraldError } from './errors.js';
import type { HeraldErrorCode, Json, Publication, PresenceClient, StreamPosition, SubscribedFrame, UnsubscribeReason } from './protocol.js';
import type { ConnectionCloseCode } from './transport/transport.js';

export type SubscriptionState = 'unsubscribed' | 'subscribing' | 'subscribed';

/**
 * What caused a subscription's state change: the close code of the connection it was on, the
 * server's error code for a refused subscribe, a client error code (a subscribe that timed out),
 * or the reason of an `unsubscribed` push.
 */
export type SubscriptionChangeCode = ConnectionCloseCode | HeraldErrorCode | ClientErrorCode | UnsubscribeReason;

/** One state transition of a client (`code`: a close code) or a subscription. */
export interface StateChange<S extends string, C extends number | string = SubscriptionChangeCode> {
  readonly old: S;
  readonly new: S;
  /** What caused the change, when there is something. */
  readonly code?: C;
  readonly reason?: string;
}

/** The app must refetch: publications between `from` and `to` will not be delivered. */
export interface Gap {
  readonly channel: string;
  /** `not_recovered`: the server could not replay; `offset_jump`/`epoch_changed`: seen in the stream itself. */
  readonly reason: 'not_recovered' | 'offset_jump' | 'epoch_changed';
  readonly from: StreamPosition;
  readonly to: StreamPosition;
}

/** Event name → data type of a channel's publications, e.g. `{ score_update: { home: number } }`. */
export type ChannelEvents = { [event: string]: unknown };

export type SubscriptionEvents = {
  state: [StateChange<SubscriptionState>];
  gap: [Gap];
  publication: [Publication];
  presence: ['join' | 'leave', PresenceClient];
  error: [HeraldError];
};

type AppEvents<E extends ChannelEvents> = { [K in keyof E]: [E[K], Publication<E[K]>] };

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  subscribeRequested(channel: string): void;
  unsubscribeRequested(channel: string): void;
  publish(channel: string, event: string, data: unknown): Promise<PublishResult>;
  presence(channel: string): Promise<PresenceClient[]>;
}

/**
 * One channel of a client. States: `unsubscribed` → `subscribing` (request sent or waiting for a
 * connection) → `subscribed` (positions known; publications flow). A lost connection moves it back
 * to `subscribing`; it resubscribes with `since` = the last delivered position.
 *
 * Delivery contract: publication listeners see each offset of an epoch at most once and in
 * ascending order; whenever the stream cannot be continued without a hole, `gap` fires first.
 */
export class Subscription<E extends ChannelEvents = ChannelEvents> {
  readonly channel: string;
  private currentState: SubscriptionState = 'unsubscribed';
  private lastPosition: StreamPosition | undefined;
  private subscribedData: Json | undefined;
  private readonly events = new Emitter<SubscriptionEvents>();
  private readonly appEvents = new Emitter<AppEvents<E>>();
  /** @internal The id of the subscribe command whose reply this subscription waits for. */
  requestId: number | undefined;
  /** @internal True when the server made this subscription (token claim, server API). */
  serverSide = false;

  /** @internal Created by `HeraldClient.channel()`. */
  constructor(
    channel: string,
    private readonly host: SubscriptionHost,
  ) {
    this.channel = channel;
  }

  get state(): SubscriptionState {
    return this.currentState;
  }

  /** The last delivered (or, right after subscribing, the starting) position in the channel. */
  get position(): StreamPosition | undefined {
    return this.lastPosition;
  }

  /**
   * `subscribed.data` of the last subscribe: what the server's subscribe proxy gave (WebSocket
   * only; undefined when the backend gave none or before the first `subscribed`).
   */
  get data(): Json | undefined {
    return this.subscribedData;
  }

  /** Listens to one application event; returns a function that stops listening. */
  on<K extends keyof E & string>(event: K, handler: (data: E[K], publication: Publication<E[K]>) => void): () => void {
    return this.appEvents.on(event, handler);
  }

  onState(handler: (change: StateChange<SubscriptionState>) => void): () => void {
    return this.events.on('state', handler);
  }

  /** Fires when publications were missed and cannot be delivered: refetch the channel's state. */
  onGap(handler: (gap: Gap) => void): () => void {
    return this.events.on('gap', handler);
  }

  /** Every publication of the channel, whatever its event name. */
  onPublication(handler: (publication: Publication) => void): () => void {
    return this.events.on('publication', handler);
  }

  onPresence(handler: (change: 'join' | 'leave', client: PresenceClient) => void): () => void {
    return this.events.on('presence', handler);
  }

  onError(handler: (error: HeraldError) => void): () => void {
    return this.events.on('error', handler);
  }

  /** Starts (or keeps) the subscription; it becomes `subscribed` once the client is connected. */
  subscribe(): this {
    if (this.currentState === 'unsubscribed') {
      this.setState('subscribing');
      this.host.subscribeRequested(this.channel);
    }
    return this;
  }

  unsubscribe(): void {
    if (this.currentState === 'unsubscribed') return;
    this.setState('unsubscribed', undefined, 'unsubscribe called');
    this.lastPosition = undefined;
    this.host.unsubscribeRequested(this.channel);
  }

  /** Resolves once subscribed; rejects when the subscription ends before that. */
  ready(): Promise<void> {
    if (this.currentState === 'subscribed') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.onState((change) => {
        if (change.new === 'subscribed') {
          off();
          resolve();
        } else if (change.new === 'unsubscribed') {
          off();
          reject(new Error(`subscription to ${this.channel} ended: ${change.reason ?? 'unsubscribed'}`));
        }
      });
    });
  }

  publish<K extends keyof E & string>(event: K, data: E[K]): Promise<PublishResult> {
    return this.host.publish(this.channel, event, data);
  }

  presence(): Promise<PresenceClient[]> {
    return this.host.presence(this.channel);
  }

  /** @internal */
  setState(next: SubscriptionState, code?: SubscriptionChangeCode, reason?: string): void {
    const old = this.currentState;
    if (old === next) return;
    this.currentState = next;
    if (next !== 'subscribing') this.requestId = undefined;
    this.events.emit('state', { old, new: next, ...(code === undefined ? {} : { code }), ...(reason ? { reason } : {}) });
  }

  /** @internal The server confirmed the subscription; a `recovered:false` after a known position is a gap. */
  applySubscribed(frame: SubscribedFrame): void {
    const previous = this.lastPosition;
    this.subscribedData = frame.data;
    const continues = frame.recovered === true && previous !== undefined && previous.epoch === frame.epoch;
    if (!continues) {
      this.lastPosition = { offset: frame.offset, epoch: frame.epoch };
      if (previous) this.events.emit('gap', { channel: this.channel, reason: 'not_recovered', from: previous, to: this.lastPosition });
    }
    this.setState('subscribed');
  }

  /** @internal Delivers a publication unless it is a duplicate or arrives outside `subscribed`. */
  deliver(publication: Publication): void {
    if (this.currentState !== 'subscribed') return;
    const previous = this.lastPosition;
    if (previous && previous.epoch === publication.epoch && publication.offset <= previous.offset) return;
    const to = { offset: publication.offset, epoch: publication.epoch };
    if (previous && previous.epoch !== publication.epoch) {
      this.events.emit('gap', { channel: this.channel, reason: 'epoch_changed', from: previous, to });
    } else if (previous && publication.offset > previous.offset + 1) {
      this.events.emit('gap', { channel: this.channel, reason: 'offset_jump', from: previous, to });
    }
    this.lastPosition = to;
    this.events.emit('publication', publication);
    this.appEvents.emit(publication.type, ...([publication.data, publication] as AppEvents<E>[keyof E]));
  }

  /** @internal */
  presenceChanged(change: 'join' | 'leave', client: PresenceClient): void {
    this.events.emit('presence', change, client);
  }

  /** @internal */
  failed(error: HeraldError): void {
    this.events.emit('error', error);
  }
}
