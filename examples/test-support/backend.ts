/**
 * An example's backend as its own process, on a free port given to it as PORT, with the
 * environment that points it at Herald (HERALD_URL, HERALD_API_KEY, HERALD_JWT_HMAC_SECRET) and
 * whatever else the test adds (DATABASE_URL, REDIS_URL, ...).
 */
import { join } from 'node:path';
import type { Herald } from './herald.js';
import { EXAMPLES } from './paths.js';
import { ManagedProcess } from './process.js';
import { answers, freePort } from './wait.js';

export interface BackendOptions {
  /** The example's folder name under examples/, e.g. "f1-live-timing". */
  readonly example: string;
  /** Its Herald: adds `herald.backendEnv` to the environment. */
  readonly herald?: Herald;
  readonly env?: Readonly<Record<string, string>>;
  /** Default `node`; the process itself (not npm), so kill() kills the server. */
  readonly command?: string;
  /** Default ["server.js"]. */
  readonly args?: readonly string[];
  /** Default examples/<example>/backend. */
  readonly cwd?: string;
  /** Polled until it answers 2xx (default /health). */
  readonly readyPath?: string;
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

export class Backend {
  readonly url: string;
  private readonly process: ManagedProcess;

  constructor(
    readonly port: number,
    private readonly options: BackendOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.process = new ManagedProcess({
      name: `${options.example} backend`,
      command: options.command ?? 'node',
      args: options.args ?? ['server.js'],
      cwd: options.cwd ?? join(EXAMPLES, options.example, 'backend'),
      env: { ...options.herald?.backendEnv, ...options.env, PORT: String(port) },
    });
  }

  async start(): Promise<void> {
    await this.process.start(() => answers(`${this.url}${this.options.readyPath ?? '/health'}`), this.options.startTimeoutMs ?? 30_000);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  get output(): string {
    return this.process.output;
  }

  /** GET/POST a JSON path of the backend (POST when there is a body); throws on a non-2xx answer or after `timeoutMs` (10 s). */
  async json<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} -> ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Starts an example's backend (see BackendOptions) and waits until it answers its ready path. */
export async function startBackend(options: BackendOptions): Promise<Backend> {
  const backend = new Backend(options.port ?? (await freePort()), options);
  await backend.start();
  return backend;
}
