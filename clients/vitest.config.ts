import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against the sources, not a stale dist/.
  resolve: {
    alias: {
      '@herald/client': fileURLToPath(new URL('./js/src/index.ts', import.meta.url)),
      '@herald/server': fileURLToPath(new URL('./server/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['js/test/**/*.test.ts', 'test/*.test.ts', 'server/test/**/*.test.ts', 'react/test/**/*.test.tsx', 'react/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration files each start a Java server: one file at a time keeps the 2-CPU machines responsive.
    fileParallelism: false,
  },
});
