/**
 * The packages as a user gets them: `./herald pack`'s tarballs installed into a fresh Vite React
 * app with the documented command (a real `npm install` from the registry plus the tarballs),
 * then `tsc`, `vite build` and the built page in Chromium against a real Herald server. Catches
 * what the workspace cannot: a dependency that should be a peer (two copies of React: a blank
 * page; two of TanStack Query: `tsc` refuses the app's QueryClient), a file missing from a
 * tarball, an `exports` entry pointing nowhere, CJS types that are really ESM.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldServer, until } from '../test-support/herald-server.js';

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLIENTS = here('..');
const REPO_LICENSE = readFileSync(here('../../LICENSE'), 'utf8');
const SCREENSHOTS = here('../test-output');
const INSTALL_TIMEOUT_MS = 180_000;
/** What a fresh Vite React app starts with (the versions `npm create vite` picks today). */
const APP_PACKAGE = {
  name: 'fresh-vite-app',
  private: true,
  type: 'module',
  dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0', '@tanstack/react-query': '^5.0.0' },
  devDependencies: {
    vite: '^8.0.0',
    '@vitejs/plugin-react': '^6.0.0',
    typescript: '~5.9.0',
    '@types/react': '^19.0.0',
    '@types/react-dom': '^19.0.0',
    '@types/node': '^20.19.0',
  },
};

type Tarballs = { client: string; react: string; server: string };
let app = '';
let tarballDir = '';
let tarballs: Tarballs;
let herald: HeraldServer;
let browser: Browser | undefined;
let web: Server | undefined;
let built = false;

/** Runs a command with a deadline; fails with its output and `hint`. The parent npm's settings are not passed on. */
function run(command: string, args: string[], options: { cwd: string; timeoutMs: number; hint?: string }): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (error: ExecFileException | null, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = error.killed ? `timed out after ${options.timeoutMs / 1000} s` : `exit code ${String(error.code)}`;
      const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
      reject(new Error(`\`${command} ${args.join(' ')}\` in ${options.cwd}: ${why}${options.hint ? `\n${options.hint}` : ''}\n${output}`));
    });
  });
}

const npmInstall = (args: string[]) =>
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--fetch-timeout=60000', '--fetch-retries=3', '--loglevel=error', ...args], {
    cwd: app,
    timeoutMs: INSTALL_TIMEOUT_MS,
    hint: 'npm install needs the npm registry (https://registry.npmjs.org) or these packages in the npm cache (~/.npm).',
  });

const bin = (name: string) => join(app, 'node_modules', '.bin', name);

beforeAll(async () => {
  const heraldStarted = HeraldServer.start(); // meanwhile: pack and install
  try {
    // The dist/ that `npm test` just built (pack.mjs refuses a dist/ older than its sources).
    tarballDir = mkdtempSync(join(tmpdir(), 'herald-tarballs-'));
    tarballs = JSON.parse(await run('node', [join(CLIENTS, 'scripts/pack.mjs'), '--no-build', '--json', '--out', tarballDir], { cwd: CLIENTS, timeoutMs: 60_000 })) as Tarballs;
    app = realpathSync(mkdtempSync(join(tmpdir(), 'herald-fresh-app-')));
    cpSync(here('./fresh-app'), app, { recursive: true });
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(APP_PACKAGE, null, 2)}\n`);
    // The documented command (README.md, "Clients"), then the backend package's.
    await npmInstall([tarballs.client, tarballs.react]);
    await npmInstall([tarballs.server]);
  } finally {
    herald = await heraldStarted;
  }
}, 2 * INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
  await herald?.stop();
  for (const dir of [app, tarballDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it, with `/` separators. */
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();

/** The file paths of an `exports` map, all conditions. */
const exportTargets = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(exportTargets) : [];

describe('the packages installed from their tarballs into a fresh Vite app', () => {
  it('are real copies holding only dist/, README.md and LICENSE, and every export target', () => {
    for (const name of ['client', 'react', 'server']) {
      const dir = join(app, 'node_modules', '@herald', name);
      expect(lstatSync(dir).isSymbolicLink(), `${dir} is a symlink`).toBe(false);
      const files = filesUnder(dir);
      expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
      expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']));
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `${name}'s LICENSE`).toBe(REPO_LICENSE);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license: string; exports: unknown; dependencies?: object };
      expect(manifest.license).toBe('Apache-2.0');
      expect(REPO_LICENSE).toContain('Apache License\n                           Version 2.0');
      expect(manifest.dependencies, `${name} has runtime dependencies`).toBeUndefined();
      for (const target of exportTargets(manifest.exports)) expect(existsSync(join(dir, target)), `${name} exports ${target}`).toBe(true);
    }
    // The app's React and TanStack Query are the only copies: nothing nested under @herald/*.
    const manifests = filesUnder(join(app, 'node_modules')).filter((f) => f.endsWith('/package.json'));
    const copies = (pkg: string) => manifests.filter((f) => f === `${pkg}/package.json` || f.endsWith(`/node_modules/${pkg}/package.json`));
    expect(copies('react')).toEqual(['react/package.json']);
    expect(copies('@tanstack/react-query')).toEqual(['@tanstack/react-query/package.json']);
  });

  it('load in Node as CommonJS and as ES modules, with types for both (node16 resolution)', async () => {
    expect(await run('node', ['node/load.cjs'], { cwd: app, timeoutMs: 30_000 })).toContain('cjs ok');
    expect(await run('node', ['node/load.mjs'], { cwd: app, timeoutMs: 30_000 })).toContain('esm ok');
    await run(bin('tsc'), ['-p', 'node/tsconfig.json'], { cwd: app, timeoutMs: 90_000 });
  }, 150_000);

  it('typecheck with the app (`tsc --noEmit`: one copy of the TanStack Query and Herald types)', async () => {
    await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: app, timeoutMs: 90_000 });
  }, 100_000);

  it('build with `vite build` into a bundle with exactly one React, TanStack Query and Herald client', async () => {
    await run(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: app, timeoutMs: 90_000 });
    // The bundler's module list (real paths, written by the app's vite.config.ts): each package from
    // one place, the app's node_modules. (Not a count of strings in the output: Rolldown tree-shakes
    // the exports of CommonJS modules, so a second React can leave no unique string behind.)
    const modules = (JSON.parse(readFileSync(join(app, 'dist-modules.json'), 'utf8')) as string[]).filter((id) => !id.startsWith('\0'));
    expect(modules.filter((id) => !id.startsWith(app + sep)), 'modules from outside the app').toEqual([]);
    const roots = (pkg: string) => new Set(modules.filter((id) => id.includes(`/node_modules/${pkg}/`)).map((id) => id.slice(0, id.indexOf(`/node_modules/${pkg}/`))));
    for (const pkg of ['react', 'react-dom', '@tanstack/query-core', '@tanstack/react-query', '@herald/client', '@herald/react']) {
      expect([...roots(pkg)], `copies of ${pkg}`).toEqual([app]);
    }
    expect(modules.filter((id) => id.endsWith('/react/index.js')), 'React entry modules').toEqual([join(app, 'node_modules/react/index.js')]);
    expect(modules).toContain(join(app, 'node_modules/@herald/client/dist/index.js')); // the ESM build
    built = true;
  }, 100_000);

  it('render in Chromium, connect to Herald and show published events, with no page errors', async () => {
    if (!built) throw new Error('vite build did not succeed (see the test before)');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
    const channel = `match:fresh${process.pid}`;
    let score = { home: 0, away: 0 };
    const dist = join(app, 'dist');
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    const server = createServer((request, response) => {
      const send = (type: string, body: string | Buffer) => response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === '/token') return send('text/plain', herald.token());
      if (path === '/api/score') return send('application/json', JSON.stringify(score));
      const file = join(dist, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dist + sep) || !existsSync(file)) return response.writeHead(404).end();
      return send(types[extname(file)] ?? 'application/octet-stream', readFileSync(file));
    });
    web = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no address');

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`http://127.0.0.1:${address.port}/?${new URLSearchParams({ herald: herald.url, channel })}`);

    const state = () => page.getAttribute('[data-herald-state]', 'data-herald-state');
    const text = async (selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
    await until(async () => (await state()) === 'connected' && (await page.getAttribute('#score', 'data-live')) === 'true', 'the page connected and the channel live', 30_000);
    expect(await text('#score')).toBe('0 – 0');

    score = { home: 1, away: 0 };
    await herald.publish(channel, 'score_update', score);
    await until(async () => (await text('#score')) === '1 – 0', 'the published score on the page');
    await herald.publish(channel, 'goal', { player: 'Ann' });
    await until(async () => (await text('#goals')) === 'Goal: Ann', 'the published goal on the page');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'fresh-vite-app.png') });
    expect(await state()).toBe('connected');
    expect(errors).toEqual([]);
  });
});
