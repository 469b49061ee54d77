#!/usr/bin/env bash
# The TypeScript clients' test run, called by `./herald test` after the Maven build (which leaves
# server/target/herald.jar for the integration and browser tests to start):
# clean install from package-lock.json, build, typecheck (README snippets included), lint, vitest.
# test/packages.test.ts also runs `npm install` of a fresh Vite app (registry or npm cache needed).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "clients/test.sh: npm not found; install Node.js 20+ (.ci/run does on CI)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
npm test
