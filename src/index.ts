/**
 * Worker entry: the HTTP app, the cron sweep and the Durable Object class. The runtime (parsed
 * settings, D1 handle, key cache) is built once per isolate on first use.
 */
import { createApp } from './app'
import { SettingsError, type Env } from './config'
import { errorBody } from './errors'
import { runSweep } from './jobs/sweep'
import { createRuntime } from './runtime'

export { SessionDO } from '../durable-objects/session'

const apps = new WeakMap<Env, Promise<ReturnType<typeof createApp>>>()

function appFor(env: Env) {
  let app = apps.get(env)
  if (!app) {
    app = createRuntime(env).then(createApp)
    // A bad setting fails every request with its name until it is fixed; drop the rejected promise
    // so a corrected deployment is picked up without an isolate restart.
    app.catch(() => apps.delete(env))
    apps.set(env, app)
  }
  return app
}

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
    await runSweep(await createRuntime(env), { trigger: 'cron' })
  },
} satisfies ExportedHandler<Env>
