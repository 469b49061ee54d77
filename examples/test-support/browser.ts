/**
 * One headless Chromium (Debian's /usr/bin/chromium via playwright-core, never a download) for the
 * whole run: global-setup.ts launches it as a server and every test file connects to it, each page
 * in its own browser context. Screenshots go to examples/test-output/<example>/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { CHROMIUM, chromiumLaunchOptions } from './chromium.js';
import { TEST_OUTPUT } from './paths.js';

export { CHROMIUM, chromiumLaunchOptions };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's playwright endpoint (global-setup.ts). */
    chromiumWsEndpoint: string;
  }
}

let connected: Promise<Browser> | undefined;

/** The run's shared Chromium (connected once per test file); launches one of its own outside vitest's global setup. */
export function sharedBrowser(): Promise<Browser> {
  if (!connected) {
    let endpoint: string | undefined;
    try {
      endpoint = inject('chromiumWsEndpoint');
    } catch {
      endpoint = undefined;
    }
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
    connected = endpoint ? chromium.connect(endpoint) : chromium.launch(chromiumLaunchOptions());
  }
  return connected;
}

/** Closes this file's connection to the shared Chromium (the browser itself lives until the run ends). */
export async function releaseBrowser(): Promise<void> {
  const browser = connected;
  connected = undefined;
  await (await browser)?.close();
}

export interface ExamplePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught exceptions in the page: a test normally expects none. */
  readonly pageErrors: string[];
  /** console.error lines (a refused WebSocket while Herald is down lands here too). */
  readonly consoleErrors: string[];
  /** Saves examples/test-output/<example>/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A page in a fresh context of the shared Chromium, at `url`, with its errors collected. */
export async function openPage(example: string, url: string, options: { viewport?: { width: number; height: number } } = {}): Promise<ExamplePage> {
  const browser = await sharedBrowser();
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 800 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(url);
  return {
    page,
    context,
    pageErrors,
    consoleErrors,
    screenshot: (name) => screenshot(page, example, name),
    close: () => context.close(),
  };
}

/** Saves a full-page screenshot to examples/test-output/<example>/<name>.png and returns its path. */
export async function screenshot(page: Page, example: string, name: string): Promise<string> {
  const dir = join(TEST_OUTPUT, example);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
