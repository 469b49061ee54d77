// @ts-check
/**
 * The Herald connection token of the signed-in manager. No `channels` claim: the team channel is
 * user-limited (team:T1#u1), so being listed in its name is what lets the manager subscribe.
 */
import { tokenHandler } from '@herald/server';
import { currentUser } from '../../../lib/session.js';

export const POST = tokenHandler((request) => {
  const user = currentUser(request);
  return user ? { user, ttl: 3600 } : null;
}, process.env.HERALD_JWT_HMAC_SECRET ?? '');
