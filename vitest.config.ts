import { cloudflareTest, getRunnerName, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Tests run inside workerd against the Worker in wrangler.toml, with real local D1 and Durable
// Objects. The wrangler environment "test" makes wrangler read .dev.vars.test (committed, test-only
// values) instead of a developer's .dev.vars.
const migrations = await readD1Migrations('migrations')

// The Worker under test runs renamed as the plugin's runner (for this unnamed project,
// `vitest-plugin-runner-`). The plugin points the Worker's own self-bindings at the runner but not
// an auxiliary Worker's bindings, so the consumer below names the runner, as the plugin does.
const workerUnderTest = getRunnerName({ name: '' } as Parameters<typeof getRunnerName>[0])

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml', environment: 'test' },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations },
        // test/rpc.test.ts reaches the consumer, which calls back over its own service binding.
        serviceBindings: { CONSUMER: 'consumer' },
        workers: [
          {
            // Another Worker using this one as a library over RPC (see README).
            name: 'consumer',
            modules: true,
            scriptPath: './test/fixtures/consumer-worker.mjs',
            compatibilityDate: '2026-11-01',
            serviceBindings: { AUTH: { name: workerUnderTest, entrypoint: 'SessionService' } },
          },
        ],
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
