import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['js/test/**/*.test.ts', 'react/test/**/*.test.tsx', 'react/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration files each start a Java server: one file at a time keeps the 2-CPU machines responsive.
    fileParallelism: false,
  },
});
