import { cloudflareTest, getRunnerName, readD1Migrations } from '@cloudflare/vitest-plugin'
import { buildSync } from 'esbuild'
import { defineConfig } from 'vitest/config'

// Tests run inside workerd against the Worker in wrangler.toml, with real local D1 and Durable
// Objects. The wrangler environment "test" makes wrangler read .dev.vars.test (committed, test-only
// values) instead of a developer's .dev.vars.
const migrations = await readD1Migrations('migrations')

// The Worker under test runs renamed as the plugin's runner (for this unnamed project,
// `vitest-plugin-runner-`). The plugin points the Worker's own self-bindings at the runner but not
// an auxiliary Worker's bindings, so the consumer below names the runner, as the plugin does.
const workerUnderTest = getRunnerName({ name: '' } as Parameters<typeof getRunnerName>[0])

// The events consumer imports the library from src/lib, so it is bundled here (miniflare runs
// JavaScript only); it consumes the queue the Worker under test produces to, as another Worker would.
const eventsConsumer = buildSync({
  entryPoints: ['./test/fixtures/events-consumer.ts'],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
}).outputFiles[0]!.text

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml', environment: 'test' },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations },
        // test/rpc/session-service.test.ts reaches the consumer, which calls back over its own service binding.
        serviceBindings: { CONSUMER: 'consumer', EVENTS_CONSUMER: 'events-consumer' },
        workers: [
          {
            // Another Worker using this one as a library over RPC (see README).
            name: 'consumer',
            modules: true,
            scriptPath: './test/fixtures/consumer-worker.mjs',
            compatibilityDate: '2026-11-01',
            serviceBindings: { AUTH: { name: workerUnderTest, entrypoint: 'SessionService' } },
          },
          {
            name: 'events-consumer',
            modules: true,
            script: eventsConsumer,
            compatibilityDate: '2026-11-01',
            // wrangler.toml's producer queue; delivered at once, a failed message again after 0 s.
            queueConsumers: {
              'edge-session-events': { maxBatchSize: 10, maxBatchTimeout: 0, retryDelay: 0 },
            },
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
