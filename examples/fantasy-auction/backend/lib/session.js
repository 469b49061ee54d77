// @ts-check
/**
 * The app's session: a signed cookie naming the user (your real login goes here). Route handlers
 * call `currentUser(request)`, as a Next.js app calls its auth helper.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET = process.env.SESSION_SECRET ?? randomBytes(32).toString('hex');
const COOKIE = 'session';
const ADMIN_KEY = process.env.ADMIN_KEY ?? 'dev-admin-key';

/** @param {string} user */
const sign = (user) => createHmac('sha256', SECRET).update(user).digest('base64url');

/** The Set-Cookie value that signs `user` in. @param {string} user */
export function sessionCookie(user) {
  return `${COOKIE}=${encodeURIComponent(`${user}.${sign(user)}`)}; Path=/; HttpOnly; SameSite=Lax`;
}

/** The signed-in user of the request, or undefined. @param {Request} request */
export function currentUser(request) {
  const cookie = (request.headers.get('cookie') ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  if (!cookie) return undefined;
  const value = decodeURIComponent(cookie.slice(COOKIE.length + 1));
  const dot = value.lastIndexOf('.');
  const user = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(user));
  return dot > 0 && given.length === expected.length && timingSafeEqual(given, expected) ? user : undefined;
}

/** Admin routes (run the auction): the `x-admin-key` header. @param {Request} request */
export function isAdmin(request) {
  const given = Buffer.from(request.headers.get('x-admin-key') ?? '');
  const expected = Buffer.from(ADMIN_KEY);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** @param {number} status @param {unknown} body */
export const json = (status, body) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
