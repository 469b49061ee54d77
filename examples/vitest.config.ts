import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each file starts Java servers and drives the one shared Chromium: one file at a time keeps
    // the 2-CPU machine responsive and the timings honest.
    fileParallelism: false,
  },
});
