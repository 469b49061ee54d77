import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/index.js';

describe('Backoff', () => {
  it('widens the window exponentially up to maxDelay when the random draw is at the top', () => {
    const backoff = new Backoff({ minDelay: 100, maxDelay: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws from the whole window: the bottom of every window is minDelay', () => {
    const backoff = new Backoff({ minDelay: 100, maxDelay: 1000, random: () => 0 });
    expect([1, 2, 3, 4].map(() => backoff.next())).toEqual([100, 100, 100, 100]);
  });

  it('spreads real random draws across the window', () => {
    const backoff = new Backoff({ minDelay: 100, maxDelay: 10_000 });
    for (let i = 0; i < 5; i++) backoff.next();
    const draws = Array.from({ length: 200 }, () => {
      const b = new Backoff({ minDelay: 100, maxDelay: 10_000 });
      for (let i = 0; i < 6; i++) b.next();
      return b.next();
    });
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...draws)).toBeLessThanOrEqual(6400);
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ minDelay: 100, maxDelay: 1000, random: () => 1 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('refuses a minDelay above maxDelay', () => {
    expect(() => new Backoff({ minDelay: 2000, maxDelay: 1000 })).toThrow(RangeError);
  });
});
