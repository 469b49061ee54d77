/**
 * An example's Vite frontend, built once per run: `examples/test.sh` builds every frontend before
 * vitest starts (scripts/build-frontends.mjs); a test run on its own builds the one it needs when
 * its dist/ is missing or older than its sources or the @herald packages it bundles.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, REPO } from './paths.js';

const BUILD_TIMEOUT_MS = 120_000;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) if (entry !== 'node_modules' && entry !== 'dist') newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** examples/<example>/web/dist, built first when missing or stale. */
export async function buildFrontend(example: string): Promise<string> {
  const web = join(EXAMPLES, example, 'web');
  const dist = join(web, 'dist');
  const built = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
  const inputs = Math.max(newestMtime(web), ...['js', 'react'].map((p) => newestMtime(join(REPO, 'clients', p, 'dist'))));
  if (built > inputs) return dist;
  await new Promise<void>((resolve, reject) => {
    execFile('node', [join(EXAMPLES, 'scripts', 'build-frontends.mjs'), example], { cwd: EXAMPLES, timeout: BUILD_TIMEOUT_MS, maxBuffer: 8 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`vite build of ${example} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    );
  });
  return dist;
}
