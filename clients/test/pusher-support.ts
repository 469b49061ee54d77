/**
 * What the Pusher compatibility tests share: one app in the config, a tiny backend that authorizes
 * channels and users with the official `pusher` server SDK (as a Laravel or Express app would), and
 * pusher-js clients pointed at Herald (wsHost/wsPort, no TLS, WebSocket only).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher, { type Options } from 'pusher-js';
import PusherServer from 'pusher';
import { TEST_CONFIG } from '../test-support/herald-server.js';

export const APP = { id: '1001', key: 'herald-test-key', secret: 'herald-test-secret-0123456789' };

/** The clients' test config with the one (native) app, client events on. */
export const PUSHER_CONFIG = `${TEST_CONFIG}
pusher:
  apps:
    - id: "${APP.id}"
      key: ${APP.key}
      secret: ${APP.secret}
      client_events: true
`;

/** The user a request speaks for: the `x-user` header pusher-js sends (a session cookie in a real app). */
function userOf(req: IncomingMessage): string {
  const user = req.headers['x-user'];
  return typeof user === 'string' && user !== '' ? user : 'anonymous';
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, x-user',
  });
  res.end(JSON.stringify(body));
}

/**
 * The app's backend: `POST /auth` (channel authorization: presence members are `{user_id, user_info:
 * {name}}`), `POST /user-auth` (signin), `POST /bad-auth` (signed with another secret), each with the
 * `pusher` SDK's own signing functions.
 */
export class Backend {
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<Backend> {
    const sdk = new PusherServer({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', useTLS: false });
    const wrong = new PusherServer({ appId: APP.id, key: APP.key, secret: 'not-the-secret-of-this-app', host: '127.0.0.1', useTLS: false });
    const server = createServer((req, res) => {
      if (req.method === 'OPTIONS') return send(res, 204, {});
      void form(req).then((params) => {
        const socketId = params.get('socket_id') ?? '';
        const channel = params.get('channel_name') ?? '';
        const user = userOf(req);
        if (req.url === '/auth') {
          const member = channel.startsWith('presence-') ? { user_id: user, user_info: { name: user.toUpperCase() } } : undefined;
          return send(res, 200, member ? sdk.authorizeChannel(socketId, channel, member) : sdk.authorizeChannel(socketId, channel));
        }
        if (req.url === '/bad-auth') return send(res, 200, wrong.authorizeChannel(socketId, channel));
        if (req.url === '/user-auth') return send(res, 200, sdk.authenticateUser(socketId, { id: user, user_info: { name: user } }));
        send(res, 404, { error: 'no such endpoint' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Backend(server, `http://127.0.0.1:${port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The options pointing pusher-js at Herald on `port`, authorized by `backend` as `user`. */
export function pusherOptions(port: number, backend: Backend, user: string, extra: Partial<Options> = {}): Options {
  return {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: `${backend.url}/auth`, transport: 'ajax', headers: { 'x-user': user } },
    userAuthentication: { endpoint: `${backend.url}/user-auth`, transport: 'ajax', headers: { 'x-user': user } },
    ...extra,
  };
}

/** A pusher-js client (the unmodified npm package) of the test app. */
export function pusherClient(port: number, backend: Backend, user: string, extra: Partial<Options> = {}): Pusher {
  return new Pusher(APP.key, pusherOptions(port, backend, user, extra));
}
