type Timer = ReturnType<typeof setTimeout>;

/**
 * Client-side liveness check: every `interval` ms it sends a ping; if no frame at all arrived
 * during the following `timeout` ms, the connection is declared dead. A dead connection is thus
 * noticed within interval + timeout of its last sign of life.
 */
export class Heartbeat {
  private pingTimer: Timer | undefined;
  private deadlineTimer: Timer | undefined;
  private received = 0;

  constructor(
    private readonly interval: number,
    private readonly timeout: number,
    private readonly sendPing: () => void,
    private readonly onDead: () => void,
  ) {}

  start(): void {
    this.stop();
    if (this.interval <= 0) return;
    this.pingTimer = setTimeout(() => this.ping(), this.interval);
  }

  /** Any frame from the server counts as a sign of life. */
  frameReceived(): void {
    this.received++;
  }

  stop(): void {
    clearTimeout(this.pingTimer);
    clearTimeout(this.deadlineTimer);
    this.pingTimer = undefined;
    this.deadlineTimer = undefined;
  }

  private ping(): void {
    // Pings keep their own rhythm, so a silence is noticed within interval + timeout.
    this.pingTimer = setTimeout(() => this.ping(), this.interval);
    if (this.deadlineTimer !== undefined) return;
    const before = this.received;
    this.sendPing();
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.received === before) {
        this.stop();
        this.onDead();
      }
    }, this.timeout);
  }
}
