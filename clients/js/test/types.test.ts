// Compile-time checks of the typed API (tsc runs over the tests in `npm run typecheck`); the
// runtime part only makes sure the calls exist.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ClientDefaults,
  ClientErrorCode,
  CloseCode,
  HeraldClient,
  HeraldError,
  HeraldErrorCode,
  LocalCloseCode,
  UnsubscribeReason,
  type ClientEvents,
  type ConnectionCloseCode,
  type Publication,
} from '../src/index.js';

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

describe('the protocol words as union types', () => {
  it('has every error code of 1.1, every close code, and the client codes apart from them', () => {
    expectTypeOf<HeraldErrorCode>().toEqualTypeOf<
      | 'bad_request'
      | 'unauthorized'
      | 'token_expired'
      | 'permission_denied'
      | 'unknown_channel'
      | 'limit_exceeded'
      | 'too_many_requests'
      | 'message_too_large'
      | 'already_subscribed'
      | 'not_subscribed'
      | 'not_found'
      | 'not_available'
      | 'unknown_outcome'
      | 'internal'
    >();
    expectTypeOf<CloseCode>().toEqualTypeOf<4000 | 4001 | 4002 | 4003 | 4004 | 4005 | 4008 | 4009 | 4010>();
    expectTypeOf<LocalCloseCode>().toEqualTypeOf<1006 | 4900 | 4901 | 4902>();
    expectTypeOf<UnsubscribeReason>().toEqualTypeOf<'server' | 'permission_revoked' | 'insufficient_state'>();
    expectTypeOf<Extract<ClientErrorCode, HeraldErrorCode>>().toBeNever();
    expectTypeOf<HeraldError['code']>().toEqualTypeOf<HeraldErrorCode | ClientErrorCode>();
    expectTypeOf<ClientEvents['state'][0]['code']>().toEqualTypeOf<ConnectionCloseCode | undefined>();
    // @ts-expect-error: not an error code of the protocol nor of the client
    void new HeraldError('no_such_code', 'x');
    expect(Object.values(HeraldErrorCode)).toHaveLength(14);
    expect(Object.values(CloseCode)).toHaveLength(9);
    expect(Object.isFrozen(ClientDefaults)).toBe(true);
  });
});
