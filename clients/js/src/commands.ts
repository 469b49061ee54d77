import { ClientErrorCode, HeraldError } from './errors.js';
import { isPublication, type ServerFrame } from './protocol.js';

type Timer = ReturnType<typeof setTimeout>;

interface Waiter {
  resolve(frame: ServerFrame): void;
  reject(error: HeraldError): void;
}

/**
 * Commands sent and waiting for their reply, by command id. Owned by one client; ids are never
 * reused, so a late reply to a command that timed out or belonged to a closed connection is ignored.
 */
export class PendingReplies {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();

  /** Reserves an id; the reply (or an error frame with that id) settles the returned promise. */
  register(timeoutMs: number): { id: number; reply: Promise<ServerFrame> } {
    const id = this.nextId++;
    const reply = new Promise<ServerFrame>((resolve, reject) => {
      const timer: Timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new HeraldError(ClientErrorCode.Timeout, `no reply within ${timeoutMs} ms`, true));
      }, timeoutMs);
      this.waiters.set(id, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    return { id, reply };
  }

  /** Settles the command with this id from its reply frame; false when nothing waits for it. */
  settle(id: number, frame: ServerFrame): boolean {
    const waiter = this.waiters.get(id);
    if (!waiter) return false;
    this.waiters.delete(id);
    if (!isPublication(frame) && frame.type === 'error') waiter.reject(new HeraldError(frame.code, frame.message, frame.temporary));
    else waiter.resolve(frame);
    return true;
  }

  has(id: number): boolean {
    return this.waiters.has(id);
  }

  rejectAll(error: HeraldError): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

export interface PublishResult {
  readonly channel: string;
  /** The publication's offset in its channel. */
  readonly offset: number;
}

/** One client publish, from the call until its promise settles. */
export interface QueuedPublish {
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** False once resolved, rejected or timed out; a settled entry is skipped when the queue drains. */
  readonly pending: boolean;
  resolve(result: PublishResult): void;
  reject(error: HeraldError): void;
}

/**
 * Publishes issued while the client cannot send: bounded in count, each with a deadline that
 * runs from the publish call (waiting in the queue and for the reply both count against it).
 */
export class PublishQueue {
  private readonly entries: QueuedPublish[] = [];

  constructor(
    private readonly maxSize: number,
    private readonly timeoutMs: number,
  ) {}

  /** Creates the entry and its deadline; the caller sends it now or enqueues it. */
  create(channel: string, event: string, data: unknown): { entry: QueuedPublish; promise: Promise<PublishResult> } {
    let entry!: QueuedPublish;
    const promise = new Promise<PublishResult>((resolve, reject) => {
      let pending = true;
      const timer: Timer = setTimeout(() => {
        settle();
        reject(new HeraldError(ClientErrorCode.Timeout, `publish to ${channel} not confirmed within ${this.timeoutMs} ms`, true));
      }, this.timeoutMs);
      const settle = (): boolean => {
        if (!pending) return false;
        pending = false;
        clearTimeout(timer);
        const index = this.entries.indexOf(entry);
        if (index >= 0) this.entries.splice(index, 1);
        return true;
      };
      entry = {
        channel,
        event,
        data,
        get pending() {
          return pending;
        },
        resolve: (result) => settle() && resolve(result),
        reject: (error) => settle() && reject(error),
      };
    });
    return { entry, promise };
  }

  /** Queues an entry for later; rejects it at once when the queue is full. */
  enqueue(entry: QueuedPublish): void {
    if (this.entries.length >= this.maxSize) {
      entry.reject(new HeraldError(ClientErrorCode.QueueFull, `publish queue is full (${this.maxSize} waiting)`, true));
      return;
    }
    this.entries.push(entry);
  }

  /** Removes and returns every waiting entry, oldest first. */
  drain(): QueuedPublish[] {
    return this.entries.splice(0, this.entries.length).filter((e) => e.pending);
  }

  get size(): number {
    return this.entries.length;
  }

  rejectAll(error: HeraldError): void {
    for (const entry of this.drain()) entry.reject(error);
  }
}
