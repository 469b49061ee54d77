// Compile-time checks of the typed API (tsc runs over the tests in `npm run typecheck`); the
// runtime part only makes sure the calls exist.
import { describe, expectTypeOf, it } from 'vitest';
import { HeraldClient, type Publication } from '../src/index.js';

type MatchEvents = { score_update: { home: number; away: number }; goal: { player: string } };

describe('typed events', () => {
  it('types handlers and publishes by the channel event map', () => {
    const client = new HeraldClient({ url: 'http://127.0.0.1:1', lifecycle: null });
    const match = client.channel<MatchEvents>('match:42', { subscribe: false });
    match.on('score_update', (data, publication) => {
      expectTypeOf(data).toEqualTypeOf<{ home: number; away: number }>();
      expectTypeOf(publication).toEqualTypeOf<Publication<{ home: number; away: number }>>();
    });
    expectTypeOf(match.on).parameter(0).toEqualTypeOf<'score_update' | 'goal'>();
    expectTypeOf(match.publish<'goal'>).parameter(1).toEqualTypeOf<{ player: string }>();
    // @ts-expect-error: not an event of MatchEvents
    match.on('corner', () => undefined);
    // @ts-expect-error: wrong data for goal
    void match.publish('goal', { home: 1 }).catch(() => undefined);
    client.close();
  });
});
