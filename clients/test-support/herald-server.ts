/**
 * Starts the real Herald server (through the repository's ./herald launcher, which finds a JDK 21+
 * and builds the jar when needed) on a free port, for integration and browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');

export const TEST_CONFIG = `
allowed_origins: ["*"]
namespace_defaults:
  public: true
  history_size: 100
  history_ttl: 5m
namespaces:
  small:
    history_size: 2
  chat:
    presence: true
    join_leave: true
    client_publish: true
`;

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class HeraldServer {
  readonly apiKey = `test-api-key-${randomBytes(8).toString('hex')}`;
  readonly secret = randomBytes(32).toString('hex');
  readonly url: string;
  private process: ChildProcess | undefined;
  private log = '';
  private readonly configPath: string;

  private constructor(readonly port: number, config: string) {
    this.url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'herald-js-'));
    this.configPath = join(dir, 'herald.yaml');
    writeFileSync(this.configPath, config);
  }

  static async start(config = TEST_CONFIG): Promise<HeraldServer> {
    const server = new HeraldServer(await freePort(), config);
    await server.startProcess();
    return server;
  }

  private async startProcess(): Promise<void> {
    const child = spawn(join(REPO, 'herald'), ['serve', '--port', String(this.port), '--host', '127.0.0.1'], {
      cwd: REPO,
      env: {
        ...process.env,
        HERALD_API_KEY: this.apiKey,
        HERALD_JWT_HMAC_SECRET: this.secret,
        HERALD_CONFIG: this.configPath,
        HERALD_LOG_LEVEL: 'WARN',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    await until(async () => {
      if (exited) throw new Error(`herald exited during start:\n${this.log}`);
      try {
        return (await fetch(`${this.url}/ready`)).ok;
      } catch {
        return false;
      }
    }, 'the Herald server to be ready', 120_000);
  }

  /** Stops the process (SIGTERM: a graceful drain) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    this.process = undefined;
  }

  /** Kills the process with SIGKILL, as a crash would (no drain, no goodbye to Redis), and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** Stops and starts again on the same port (the memory engine loses its state: new epochs). */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  token(claims: Record<string, unknown> = {}, ttlSeconds = 3600): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = { sub: '42', exp: Math.floor(Date.now() / 1000) + ttlSeconds, ...claims };
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(body)}`;
    return `${unsigned}.${createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
  }

  async api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `apikey ${this.apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** `herald_connections_opened_total` from /metrics: WebSocket and SSE connections the server accepted. */
  async connectionsOpened(): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('herald_connections_opened_total'));
    if (!line) throw new Error(`no herald_connections_opened_total in /metrics:\n${text.slice(0, 500)}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  publish(channel: string, type: string, data: unknown): Promise<Record<string, unknown>> {
    return this.api('POST', '/api/publish', { channel, type, data });
  }

  /** True when this build serves /sse (the fallback endpoints answer 501 in builds without them). */
  async hasFallbacks(): Promise<boolean> {
    const controller = new AbortController();
    const response = await fetch(`${this.url}/sse?channel=probe&token=${this.token()}`, { signal: controller.signal });
    controller.abort();
    return response.status !== 501;
  }

  get output(): string {
    return this.log;
  }
}
