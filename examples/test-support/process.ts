/** A child process kept with its output, stopped gracefully or killed, started again with the same settings. */
import { spawn, type ChildProcess } from 'node:child_process';
import { until } from './wait.js';

/** Output kept per process: enough to explain a failure, bounded for a chatty one. */
const MAX_OUTPUT_CHARS = 200_000;

/**
 * The test process's environment less what belongs to a backend: Herald refuses HERALD_*
 * variables it does not know, so a HERALD_URL set where the tests run must not reach it.
 */
function inherited(): Record<string, string | undefined> {
  const { HERALD_URL: _url, HERALD_PUBLIC_URL: _public, ...rest } = process.env;
  return rest;
}

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Shown in errors. */
  readonly name: string;
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private log = '';

  constructor(readonly spec: ProcessSpec) {}

  /** Spawns the process and waits until `ready()` is true (or fails with its output if it exits first). */
  async start(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...inherited(), ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log += chunk.toString();
      if (this.log.length > MAX_OUTPUT_CHARS) this.log = this.log.slice(-MAX_OUTPUT_CHARS / 2);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    await until(
      async () => {
        if (spawnError) throw new Error(`${this.spec.name} did not start: ${spawnError.message}`);
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.spec.name} exited during start (${child.exitCode ?? child.signalCode}):\n${this.log}`);
        return ready();
      },
      () => `${this.spec.name} to be ready; its output:\n${this.log.slice(-4_000)}`,
      timeoutMs,
    );
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM (a graceful shutdown), SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    await this.end('SIGTERM', graceMs);
  }

  /** SIGKILL: the process dies at once, saying goodbye to nobody (a crash). */
  async kill(): Promise<void> {
    await this.end('SIGKILL', 0);
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
    await exited;
    if (timer) clearTimeout(timer);
  }

  /** Everything it printed (stdout and stderr interleaved), over all its starts. */
  get output(): string {
    return this.log;
  }
}
