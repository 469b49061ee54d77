/**
 * The real Herald server (server/target/herald.jar through the repository's ./herald launcher,
 * which finds a JDK 21+) on a free port, with a YAML config and environment of the test's choice.
 * It keeps its port across stop/kill/start, so a page that was connected reconnects to it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from './process.js';
import { EXAMPLES, REPO, TEST_OUTPUT } from './paths.js';
import { answers, freePort } from './wait.js';

/** What an example's Herald needs at least: pages on any local origin, public channels with history. */
export const DEFAULT_HERALD_CONFIG = `
allowed_origins: ["*"]
namespace_defaults:
  public: true
  history_size: 1000
  history_ttl: 5m
`;

/**
 * An example's own herald.yaml made fit for a test: its `allowed_origins` line replaced by the
 * test's origins (the backend's random port instead of 3000), and a short shutdown drain (unless
 * it sets one) so that stop() takes a moment, not the 5 s default drain window.
 */
export function exampleHeraldConfig(example: string, options: { allowedOrigins: readonly string[] }): string {
  const yaml = readFileSync(join(EXAMPLES, example, 'herald.yaml'), 'utf8');
  const origins = `allowed_origins: ${JSON.stringify(options.allowedOrigins)}`;
  const withOrigins = /^allowed_origins:.*$/m.test(yaml) ? yaml.replace(/^allowed_origins:.*$/m, origins) : `${origins}\n${yaml}`;
  return /^shutdown:/m.test(withOrigins) ? withOrigins : `${withOrigins}\nshutdown:\n  drain_window: 200ms\n`;
}

/** Gitignored; the JVM checks it against the jar and makes it again when the jar changed. */
const CDS_ARCHIVE = join(TEST_OUTPUT, 'herald-cds.jsa');

/** A JVM start on a loaded 2-CPU machine; the first start may also build the jar. */
const START_TIMEOUT_MS = 120_000;

export interface HeraldOptions {
  /** herald.yaml text (default DEFAULT_HERALD_CONFIG). */
  readonly config?: string;
  /** Extra environment (HERALD_* settings); the API key and JWT secret are set unless given here. */
  readonly env?: Readonly<Record<string, string>>;
  /** A fixed port (a second node of a cluster, say); default a free one. */
  readonly port?: number;
  /** Shown in errors (default "herald"). */
  readonly name?: string;
}

export class Herald {
  readonly url: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly configPath: string;
  private readonly process: ManagedProcess;

  constructor(
    readonly port: number,
    options: HeraldOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.apiKey = options.env?.HERALD_API_KEY ?? `example-api-key-${randomBytes(8).toString('hex')}`;
    this.secret = options.env?.HERALD_JWT_HMAC_SECRET ?? randomBytes(32).toString('hex');
    this.configPath = join(mkdtempSync(join(tmpdir(), 'herald-example-')), 'herald.yaml');
    writeFileSync(this.configPath, options.config ?? DEFAULT_HERALD_CONFIG);
    this.process = new ManagedProcess({
      name: options.name ?? 'herald',
      command: join(REPO, 'herald'),
      args: ['serve', '--port', String(port), '--host', '127.0.0.1'],
      cwd: REPO,
      env: {
        HERALD_LOG_LEVEL: 'WARN',
        // a class-data archive made by the first graceful exit and reused by every start after it:
        // ready in ~2 s instead of ~4 s on a 2-CPU machine (~3.7 s instead of ~7 s under load).
        // (herald.jvm picks the compiler, C1 only, and the GC.)
        HERALD_JAVA_OPTS: `-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=${CDS_ARCHIVE}`,
        ...options.env,
        HERALD_API_KEY: this.apiKey,
        HERALD_JWT_HMAC_SECRET: this.secret,
        HERALD_CONFIG: this.configPath,
      },
    });
  }

  /** Starts the process and waits for GET /ready. */
  async start(): Promise<void> {
    mkdirSync(TEST_OUTPUT, { recursive: true });
    await this.process.start(() => answers(`${this.url}/ready`), START_TIMEOUT_MS);
  }

  /** SIGTERM: Herald drains (clients get close 4000, "reconnect") and exits. */
  stop(): Promise<void> {
    return this.process.stop();
  }

  /** SIGKILL: a crash (clients see the connection drop, 1006). The memory engine loses its state. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** stop() then start() on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  get running(): boolean {
    return this.process.running;
  }

  get output(): string {
    return this.process.output;
  }

  /** The environment a backend needs to talk to this Herald: HERALD_URL, HERALD_API_KEY, HERALD_JWT_HMAC_SECRET. */
  get backendEnv(): Record<string, string> {
    return { HERALD_URL: this.url, HERALD_API_KEY: this.apiKey, HERALD_JWT_HMAC_SECRET: this.secret };
  }

  /** An HS256 connection token signed with this server's secret (`sub` "42", an hour, unless the claims say otherwise). */
  token(claims: Record<string, unknown> = {}, ttlSeconds = 3600): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = { sub: '42', exp: Math.floor(Date.now() / 1000) + ttlSeconds, ...claims };
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(body)}`;
    return `${unsigned}.${createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
  }

  /** A server API call with the API key; throws on a non-2xx answer. */
  async api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `apikey ${this.apiKey}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  publish(channel: string, type: string, data: unknown): Promise<{ offset: number; epoch: string }> {
    return this.api('POST', '/api/publish', { channel, type, data });
  }

  /** One sample of a Prometheus metric from /metrics (the first line whose name and labels start with `prefix`). */
  async metric(prefix: string): Promise<number | undefined> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }
}

/** Starts a Herald (see HeraldOptions) and waits until it is ready. */
export async function startHerald(options: HeraldOptions = {}): Promise<Herald> {
  const herald = new Herald(options.port ?? (await freePort()), options);
  await herald.start();
  return herald;
}
