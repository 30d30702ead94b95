import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Tests run inside workerd against the Worker in wrangler.toml, with real local D1 and Durable
// Objects. The wrangler environment "test" makes wrangler read .dev.vars.test (committed, test-only
// values) instead of a developer's .dev.vars.
const migrations = await readD1Migrations('migrations')

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml', environment: 'test' },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations },
      },
    }),
  ],
  test: {
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    coverage: {
      provider: 'istanbul',
      include: ['src/**/*.ts', 'durable-objects/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { statements: 80 },
    },
  },
})
