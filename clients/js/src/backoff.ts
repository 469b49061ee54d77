import { ClientDefaults } from './options.js';

export interface BackoffOptions {
  /** Smallest delay in milliseconds (default `ClientDefaults.minReconnectDelay`). */
  readonly minDelay?: number;
  /** Largest delay in milliseconds (default `ClientDefaults.maxReconnectDelay`). */
  readonly maxDelay?: number;
  /** Source of randomness in [0, 1); injectable so tests can pin it. */
  readonly random?: () => number;
}

/**
 * Full-jitter exponential backoff: the n-th delay (n from 0) is drawn uniformly from
 * [minDelay, min(maxDelay, minDelay * 2^n)]. Spreading the whole window keeps thousands of
 * clients that lost the same server from coming back in lockstep.
 */
export class Backoff {
  readonly minDelay: number;
  readonly maxDelay: number;
  private readonly random: () => number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.minDelay = options.minDelay ?? ClientDefaults.minReconnectDelay;
    this.maxDelay = options.maxDelay ?? ClientDefaults.maxReconnectDelay;
    this.random = options.random ?? Math.random;
    if (!(this.minDelay >= 0) || !(this.maxDelay >= this.minDelay)) {
      throw new RangeError(`backoff needs 0 <= minDelay <= maxDelay, got ${this.minDelay} and ${this.maxDelay}`);
    }
  }

  /** The delay before the next attempt; each call widens the window until maxDelay. */
  next(): number {
    const ceiling = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return Math.round(this.minDelay + this.random() * (ceiling - this.minDelay));
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  reset(): void {
    this.attempts = 0;
  }
}
