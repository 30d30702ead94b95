import { cloudflareTest, getRunnerName, readD1Migrations } from '@cloudflare/vitest-plugin'
import { buildSync } from 'esbuild'
import { defineConfig } from 'vitest/config'
import { freePort } from './test/identity/providers/free-port.mjs'
import { unstable_readConfig } from 'wrangler'

// Tests run inside workerd against the Worker of wrangler.test.toml (wrangler.toml's Worker with
// test-only limits), with real local D1 and Durable Objects. Its wrangler environment "test" makes
// wrangler read .dev.vars.test (committed, test-only values) instead of a developer's .dev.vars.
const TEST_CONFIG = './wrangler.test.toml'
const migrations = await readD1Migrations('migrations')

/** Each binding by kind, as `kind:name`; the test Worker must have all that production has. */
function bindingNames(configPath: string, env?: string): Set<string> {
  const config = unstable_readConfig({ config: configPath, env })
  const named = (kind: string, list: ReadonlyArray<{ binding?: string; name?: string }> = []) =>
    list.map((b) => `${kind}:${b.binding ?? b.name}`)
  // Not `main`: wrangler.toml names the built Worker (build/worker/worker.js, which
  // scripts/build-worker.mjs builds from src/worker.ts), the tests run src/worker.ts itself.
  return new Set([
    ...named('d1', config.d1_databases),
    ...named('durable_object', config.durable_objects.bindings),
    ...named('queue', config.queues.producers),
    ...named('analytics', config.analytics_engine_datasets),
    ...named('ratelimit', config.ratelimits),
    ...named('send_email', config.send_email),
    ...named('assets', config.assets ? [config.assets] : []),
  ])
}
const missing = [...bindingNames('./wrangler.toml')].filter(
  (name) => !bindingNames(TEST_CONFIG, 'test').has(name),
)
if (missing.length > 0)
  throw new Error(`${TEST_CONFIG} lacks what wrangler.toml has: ${missing.join(', ')}`)

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

// test/identity/providers/global-setup.mjs runs a real OpenID Provider on this loopback port; the
// Worker's generic OIDC settings name it, so the port is chosen here, before both start.
const oidcPort = await freePort()
process.env.TEST_OIDC_PORT = String(oidcPort)
process.env.TEST_OIDC_CALLBACK_ORIGIN = 'https://auth.example.com'
const oidcIssuer = `http://127.0.0.1:${oidcPort}`
const OIDC_PROVIDERS = JSON.stringify([
  {
    id: 'loopback',
    name: 'Loopback OIDC',
    issuer: oidcIssuer,
    clientId: 'edge-session-trusted',
    clientSecret: 'loopback-secret-1',
    scopes: ['openid', 'email', 'profile'],
    trustVerifiedEmail: true,
  },
  {
    id: 'loopback-untrusted',
    name: 'Loopback OIDC (email not trusted)',
    issuer: oidcIssuer,
    clientId: 'edge-session-untrusted',
    clientSecret: 'loopback-secret-2',
  },
])

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: TEST_CONFIG, environment: 'test' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          OIDC_PROVIDERS,
          TEST_OIDC_ISSUER: oidcIssuer,
          // How many sessions test/session/index-writes.test.ts refreshes for its simulated hour;
          // the bench (bench/index-writes.mjs) counts with 100.
          INDEX_WRITES_SESSIONS: Number(process.env.INDEX_WRITES_SESSIONS || 20),
        },
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
    globalSetup: ['./test/identity/providers/global-setup.mjs'],
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
