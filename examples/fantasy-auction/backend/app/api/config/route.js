// @ts-check
/** What the frontend needs to know of its deployment (one build for all of them). */
import { json } from '../../../lib/session.js';

export function GET() {
  return json(200, {
    heraldUrl: process.env.HERALD_PUBLIC_URL ?? process.env.HERALD_URL ?? 'http://127.0.0.1:8080',
    // While the page is not connected to Herald it polls this often; never while connected.
    pollInterval: Number(process.env.AUCTION_POLL_MS ?? 5_000),
    maxReconnectDelay: Number(process.env.AUCTION_MAX_RECONNECT_MS ?? 10_000),
  });
}
