/**
 * Worker entry: the HTTP app, the cron sweep, the Durable Object class and the RPC entrypoint. The
 * runtime (parsed settings, D1 handle, key cache) is built once per isolate on first use.
 */
import { createApp } from './app'
import { SettingsError, type Env } from './config'
import { errorBody } from './errors'
import { runSweep } from './jobs/sweep'
import { cachePerEnv, runtimeFor } from './runtime-cache'

export { SessionDO } from '../durable-objects/session'
export { SessionService } from './rpc'

const appFor = cachePerEnv(async (env) => createApp(await runtimeFor(env)))

export default {
  async fetch(request, env, ctx) {
    try {
      const app = await appFor(env)
      return await app.fetch(request, env, ctx)
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      console.error(JSON.stringify({ level: 'error', msg: error.message }))
      return Response.json(errorBody('misconfigured', error.message), { status: 503 })
    }
  },
  /** The cron trigger: the sweep, within its time budget; the rest waits for the next run. */
  async scheduled(_controller, env) {
    const { counts, durationMs, complete } = await runSweep(await runtimeFor(env), {
      trigger: 'cron',
    })
    // One line per run, so an operator sees the sweep working off a backlog in the logs.
    console.log(JSON.stringify({ level: 'info', msg: 'sweep', counts, durationMs, complete }))
  },
} satisfies ExportedHandler<Env>
