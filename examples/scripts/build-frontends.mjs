// Builds the Vite frontends (examples/*/web, or the examples named as arguments) in one Node
// process: one start of Node and Vite instead of one per example.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const examples = fileURLToPath(new URL('..', import.meta.url));
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : readdirSync(examples).filter((name) => existsSync(join(examples, name, 'web', 'index.html')));
for (const name of names) {
  const root = join(examples, name, 'web');
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: no frontend named ${name}`);
  const started = performance.now();
  await build({ root, configFile: existsSync(join(root, 'vite.config.ts')) ? join(root, 'vite.config.ts') : undefined, logLevel: 'warn' });
  console.log(`built ${name}/web in ${Math.round(performance.now() - started)} ms`);
}
