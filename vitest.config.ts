import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Tests run inside workerd against the Worker in wrangler.toml, with real local D1 and Durable
// Objects. Test-only secrets are fixed here; COOKIE_SECURE stays at its production default.
const migrations = await readD1Migrations('migrations')

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          ENCRYPTION_KEY: 'dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vayE=',
          ADMIN_TOKEN: 'test-admin-token-0123456789',
          ALLOWED_ORIGINS: 'https://app.example.com',
        },
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
