/**
 * The page of the Pusher browser test: pusher-js as a web app bundles it, pointed at Herald by the
 * options docs/pusher.md gives, on a public and a presence channel, writing what it sees to `window.seen`.
 */
import Pusher, { type Members, type PresenceChannel } from 'pusher-js';

type Settings = { key: string; port: number; backend: string; channel: string; user: string };
type Seen = Array<[string, unknown]>;
const w = window as unknown as { PUSHER_TEST: Settings; seen: Seen; wave: (data: unknown) => boolean; socketId: () => string };
const settings = w.PUSHER_TEST;
const seen: Seen = [];
w.seen = seen;

const pusher = new Pusher(settings.key, {
  cluster: 'mt1',
  wsHost: '127.0.0.1',
  wsPort: settings.port,
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
  disableStats: true,
  channelAuthorization: { endpoint: `${settings.backend}/auth`, transport: 'ajax', headers: { 'x-user': settings.user } },
});

const news = pusher.subscribe(settings.channel);
news.bind('pusher:subscription_succeeded', () => seen.push(['subscribed', settings.channel]));
news.bind('score', (data: unknown) => seen.push(['score', data]));

const room = pusher.subscribe(`presence-${settings.channel}`) as PresenceChannel;
room.bind('pusher:subscription_succeeded', (members: Members) => seen.push(['here', members.count]));
room.bind('pusher:member_added', (member: { id: string }) => seen.push(['joined', member.id]));
room.bind('pusher:member_removed', (member: { id: string }) => seen.push(['left', member.id]));
room.bind('client-hello', (data: unknown) => seen.push(['hello', data]));

w.wave = (data: unknown) => room.trigger('client-wave', data);
w.socketId = () => pusher.connection.socket_id;
