type Timer = ReturnType<typeof setTimeout>;

/** A reconnect the client scheduled or started: what `HeraldClient`'s `reconnect` event reports. */
export interface ReconnectAttempt {
  /** 1 for the first reconnect after a connection was lost or could not be made, then 2, 3, …; back to 0 once connected. */
  readonly attempt: number;
  /** When the attempt starts (ms since epoch); absent once it is under way. */
  readonly at?: number;
}

/**
 * The wait before the next reconnect attempt, and the count of attempts since the last
 * successful connection. One timer at a time: scheduling again replaces the wait.
 */
export class ReconnectTimer {
  private timer: Timer | undefined;
  private count = 0;
  private startsAt: number | undefined;

  constructor(private readonly fire: () => void) {}

  /** The number of the attempt waited for or under way; 0 before the first. */
  get attempt(): number {
    return this.count;
  }

  /** When the waited-for attempt starts (ms since epoch), while waiting. */
  get at(): number | undefined {
    return this.startsAt;
  }

  /** What the `reconnect` event reports now. */
  get snapshot(): ReconnectAttempt {
    return { attempt: this.count, ...(this.startsAt === undefined ? {} : { at: this.startsAt }) };
  }

  /** Counts one more attempt and starts it in `delay` ms. */
  schedule(delay: number): void {
    this.cancel();
    this.count++;
    this.startsAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startsAt = undefined;
      this.fire();
    }, delay);
  }

  /** Ends the wait without starting the attempt (the caller starts it, or none); true if there was one. */
  cancel(): boolean {
    const waiting = this.timer !== undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.startsAt = undefined;
    return waiting;
  }

  /** Cancels any wait and starts counting from 0 again (after a successful connection). */
  reset(): void {
    this.cancel();
    this.count = 0;
  }
}
