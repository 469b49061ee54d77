/** What the real-browser tests share: the test page bundled from the sources, and Debian's Chromium. */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** `entry` (a file of this folder, or an absolute path) bundled with the clients' sources, as one ES module's text. */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [isAbsolute(entry) ? entry : here(`./${entry}`)],
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: { '@herald/client': here('../../../js/src/index.ts'), '@herald/react': here('../../src/index.tsx') },
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced nothing');
  return file.text;
}

/** Debian's headless Chromium (never a browser download of its own). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps dialling out into a closed network.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
