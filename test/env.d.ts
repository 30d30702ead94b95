import type { D1Migration } from 'cloudflare:test'
import type { Env as WorkerEnv } from '../src/platform/bindings'

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/worker')
    }
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[]
      /** The loopback OpenID Provider of test/identity/providers/global-setup.mjs. */
      TEST_OIDC_ISSUER: string
      /** Sessions in the index-writes count (vitest.config.ts; the bench sets 100). */
      INDEX_WRITES_SESSIONS: number
      /** A D1 database no migration was applied to (wrangler.test.toml). */
      EMPTY_DB: D1Database
    }
  }
}
