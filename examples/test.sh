#!/usr/bin/env bash
# The examples' test run, called by `./herald test` after clients/test.sh (which builds the
# @herald packages' dist/ that examples/ links to, and after Maven left server/target/herald.jar):
# clean install from package-lock.json, every Vite frontend built once, one typecheck, vitest
# (each example's browser test against real Herald, backends and one shared Chromium).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "examples/test.sh: npm not found; install Node.js 20+ (.ci/run does on CI)" >&2
  exit 1
fi
# @herald/client, @herald/react and @herald/server are file: links to ../clients/*: build their
# dist/ when it is missing or older than its sources (run on its own, not after clients/test.sh).
stale=0
for pkg in js react server; do
  dist="../clients/$pkg/dist/index.js"
  if [ ! -f "$dist" ] || [ -n "$(find "../clients/$pkg/src" "../clients/$pkg/package.json" -newer "$dist" -print -quit)" ]; then stale=1; fi
done
if [ "$stale" -ne 0 ]; then
  echo "examples/test.sh: building the @herald packages (clients/) ..." >&2
  (cd ../clients && { [ -d node_modules/tsup ] || npm ci --no-audit --no-fund --loglevel=error; } \
    && npm run -s build -w js && npm run -s build -w react && npm run -s build -w server)
fi
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npm run -s build
npm run -s typecheck
npx vitest run "$@"
