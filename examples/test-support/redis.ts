/**
 * The local Redis (127.0.0.1:6379) for examples on the Redis engine: each test takes a unique key
 * prefix (Herald's `redis.prefix`) and deletes its keys afterwards. A minimal RESP client over
 * node:net, with a deadline on every call, so the harness needs no Redis package.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CALL_TIMEOUT_MS = 5_000;

type Reply = string | number | null | Reply[];

/** A prefix no other test uses: `ex-<name>-<random>`. */
export function redisPrefix(name: string): string {
  return `ex-${name}-${randomBytes(4).toString('hex')}`;
}

/** The `engine`/`redis` part of a herald.yaml for this prefix. */
export function redisConfig(prefix: string): string {
  return `engine: redis\nredis:\n  url: ${REDIS_URL}\n  prefix: ${prefix}\n`;
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Parses one reply at `at`; undefined when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, at: number): { reply: Reply; next: number } | undefined {
  const end = buffer.indexOf('\r\n', at);
  if (end < 0) return undefined;
  const kind = String.fromCharCode(buffer[at] ?? 0);
  const line = buffer.toString('utf8', at + 1, end);
  if (kind === '+') return { reply: line, next: end + 2 };
  if (kind === '-') throw new Error(`redis: ${line}`);
  if (kind === ':') return { reply: Number(line), next: end + 2 };
  if (kind === '$') {
    const length = Number(line);
    if (length < 0) return { reply: null, next: end + 2 };
    if (buffer.length < end + 2 + length + 2) return undefined;
    return { reply: buffer.toString('utf8', end + 2, end + 2 + length), next: end + 2 + length + 2 };
  }
  if (kind === '*') {
    const items: Reply[] = [];
    let next = end + 2;
    for (let i = 0; i < Number(line); i++) {
      const item = parse(buffer, next);
      if (!item) return undefined;
      items.push(item.reply);
      next = item.next;
    }
    return { reply: items, next };
  }
  throw new Error(`redis: unexpected reply ${kind}`);
}

/** Runs the commands on one connection, in order, and returns their replies. */
export async function redisCommands(commands: readonly (readonly string[])[]): Promise<Reply[]> {
  const url = new URL(REDIS_URL);
  const socket: Socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
  try {
    return await new Promise<Reply[]>((resolve, reject) => {
      const replies: Reply[] = [];
      let buffer = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`redis: no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        try {
          for (let item = parse(buffer, 0); item; item = parse(buffer, 0)) {
            replies.push(item.reply);
            buffer = buffer.subarray(item.next);
          }
        } catch (error) {
          clearTimeout(timer);
          reject(error as Error);
          return;
        }
        if (replies.length === commands.length) {
          clearTimeout(timer);
          resolve(replies);
        }
      });
      socket.write(commands.map(encode).join(''));
    });
  } finally {
    socket.destroy();
  }
}

/** True when the local Redis answers PING. */
export async function redisAvailable(): Promise<boolean> {
  try {
    return (await redisCommands([['PING']]))[0] === 'PONG';
  } catch {
    return false;
  }
}

/** Deletes every key that starts with `prefix` (SCAN, then DEL in batches); returns how many. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [scan] = await redisCommands([['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000']]);
    if (!Array.isArray(scan)) throw new Error('redis: SCAN answered no array');
    cursor = String(scan[0]);
    const keys = (scan[1] as Reply[]).map(String);
    if (keys.length > 0) deleted += Number((await redisCommands([['DEL', ...keys]]))[0]);
  } while (cursor !== '0');
  return deleted;
}
