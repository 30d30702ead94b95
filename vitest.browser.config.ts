import { defineConfig } from 'vitest/config'

// Browser tests (test-browser/): plain Node, no Workers pool. They start `wrangler dev` themselves
// and drive Chromium (test-browser/browser.mjs) through playwright-core; one file at a time, since each browser
// file starts its own service and the machine has two cores.
export default defineConfig({
  test: {
    include: ['test-browser/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
})
