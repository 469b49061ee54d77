// `./herald pack`: builds the three packages and writes their installable tarballs (`npm pack`)
// into one directory (default clients/dist-packages/), then prints their paths and the install
// command. Tarballs, not folders: `npm install <folder>` makes a symlink, and an app bundling
// through it resolves React and TanStack Query twice (once from this workspace).
//   node scripts/pack.mjs [--out DIR] [--no-build] [--json]
// --no-build packs the dist/ already built (and refuses a dist/ older than its sources);
// --json prints {"client","react","server"} paths instead of the human-readable lines.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENTS = fileURLToPath(new URL('..', import.meta.url));
/** Workspace folder → the package's short name in the output. */
const PACKAGES = { js: 'client', react: 'react', server: 'server' };

function usage(message) {
  console.error(`herald pack: ${message}\nusage: ./herald pack [--out DIR] [--no-build] [--json]`);
  process.exit(2);
}

let out = join(CLIENTS, 'dist-packages');
let build = true;
let json = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--out') {
    if (args[i + 1] === undefined) usage('--out needs a directory');
    out = resolve(args[++i]);
  } else if (arg === '--no-build') build = false;
  else if (arg === '--json') json = true;
  else usage(`unknown option ${arg}`);
}

const npm = (npmArgs, options = {}) =>
  execFileSync('npm', npmArgs, { cwd: CLIENTS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

if (build) {
  if (!existsSync(join(CLIENTS, 'node_modules'))) npm(['ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'inherit', 'inherit'] });
  npm(['run', 'build'], { stdio: ['ignore', json ? 'ignore' : 'inherit', 'inherit'] });
} else {
  for (const folder of Object.keys(PACKAGES)) {
    const dist = join(CLIENTS, folder, 'dist');
    if (!existsSync(join(dist, 'index.js'))) usage(`${folder}/dist is missing: build first (npm run build in clients/), or drop --no-build`);
    const built = Math.min(...readdirSync(dist).map((f) => statSync(join(dist, f)).mtimeMs));
    if (newest(join(CLIENTS, folder, 'src')) > built) usage(`${folder}/dist is older than ${folder}/src: build first, or drop --no-build`);
  }
}

mkdirSync(out, { recursive: true });
const packed = JSON.parse(
  npm(['pack', '--json', '--loglevel=error', '--pack-destination', out, ...Object.keys(PACKAGES).flatMap((f) => ['-w', f])]),
);
const paths = {};
for (const entry of packed) {
  const short = entry.name.replace(/^@herald\//, '');
  if (!Object.values(PACKAGES).includes(short)) throw new Error(`npm pack made an unexpected package: ${entry.name}`);
  paths[short] = join(out, entry.filename);
}
// Tarballs of other versions left from earlier runs would make "which one" ambiguous.
for (const file of readdirSync(out)) {
  if (file.endsWith('.tgz') && !Object.values(paths).includes(join(out, file))) rmSync(join(out, file));
}

if (json) {
  console.log(JSON.stringify(paths));
} else {
  console.log(`herald pack: tarballs in ${out}`);
  for (const path of Object.values(paths)) console.log(`  ${path}`);
  console.log('\nInstall into an app (React 18/19 and @tanstack/react-query 5 are peer dependencies, installed by npm 7+ when missing):');
  console.log(`  npm install ${paths.client} ${paths.react}`);
  console.log('A Node backend:');
  console.log(`  npm install ${paths.server}`);
}
