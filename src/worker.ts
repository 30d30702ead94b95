/**
 * Worker entry: the HTTP app, the cron sweep, the Durable Object class and the RPC entrypoint. The
 * runtime (parsed settings, D1 handle, key cache) is built once per isolate on first use.
 */
import { createApp } from './app'
import type { Env } from './platform/bindings'
import { SettingsError } from './platform/config'
import { errorBody } from './platform/errors'
import { runSweep } from './jobs'
import { cachePerEnv, readyRuntimeFor, runtimeFor } from './platform/runtime-cache'
import { CODE } from './contract/error-codes'
import { missingSchemaCause } from './platform/db/missing-schema'

export { SessionDO } from '../durable-objects/session'
export { SessionService } from './rpc'

const appFor = cachePerEnv(async (env: Env) => createApp(await runtimeFor(env)))

export default {
  async fetch(request, env, ctx) {
    let app
    try {
      // Building the app (evaluating the route modules) is CPU work; on a fresh isolate it runs
      // while the key check's D1 read is in flight rather than after it.
      const [, built] = await Promise.all([readyRuntimeFor(env), appFor(env)])
      app = built
    } catch (error) {
      if (error instanceof SettingsError) {
        console.error(JSON.stringify({ level: 'error', msg: error.message }))
        return Response.json(errorBody(CODE.misconfigured, error.message), { status: 503 })
      }
      // An empty database (migrations never applied, or applied to another --persist-to) is an
      // operator's step left out, not a bug: say which command fixes it. Retried on the next request.
      const missing = missingSchemaCause(error)
      if (missing) {
        console.error(
          JSON.stringify({
            level: 'error',
            msg: 'start-up failed: the D1 database is not migrated',
            cause: missing,
          }),
        )
        return Response.json(errorBody(CODE.database_not_migrated), { status: 503 })
      }
      // The key check reads D1; if D1 fails it, answer in the contract's shape and retry next time.
      console.error(
        JSON.stringify({ level: 'error', msg: 'start-up failed', error: String(error) }),
      )
      return Response.json(errorBody(CODE.internal_error, 'An internal error occurred.'), {
        status: 500,
      })
    }
    return app.fetch(request, env, ctx)
  },
  /** The cron trigger: the sweep, within its time budget; the rest waits for the next run. */
  async scheduled(_controller, env) {
    try {
      const { counts, durationMs, complete } = await runSweep(await readyRuntimeFor(env), {
        trigger: 'cron',
      })
      // One line per run, so an operator sees the sweep working off a backlog in the logs.
      console.log(JSON.stringify({ level: 'info', msg: 'sweep', counts, durationMs, complete }))
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      // Nothing can be swept or re-sealed until the keys are fixed; say why in the log.
      console.error(JSON.stringify({ level: 'error', msg: error.message }))
    }
  },
} satisfies ExportedHandler<Env>
