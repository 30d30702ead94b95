/**
 * Per-isolate caches keyed by `env`: the runtime, and what is built from it, are made once on first
 * use and shared by every entry point of the Worker (HTTP, RPC), so they share key and kill-switch
 * caches too.
 */
import type { Env } from './bindings'
import { createRuntime, type Runtime } from './runtime'

/** Memoises `build` per `env`; a rejected build is forgotten so the next call tries again. */
export function cachePerEnv<E extends object, T>(
  build: (env: E) => Promise<T>,
): (env: E) => Promise<T> {
  const built = new WeakMap<E, Promise<T>>()
  return (env) => {
    let value = built.get(env)
    if (!value) {
      value = build(env)
      // A bad setting fails every call with its name until it is fixed; dropping the rejected
      // promise picks up a corrected deployment without an isolate restart.
      value.catch(() => built.delete(env))
      built.set(env, value)
    }
    return value
  }
}

/** This isolate's runtime for `env`, built once. */
export const runtimeFor: (env: Env) => Promise<Runtime> = cachePerEnv(createRuntime)

/**
 * This isolate's runtime once its master keys are known to open every stored value; a
 * `SettingsError` (503 `misconfigured` over HTTP) otherwise. Every entry point goes through it.
 */
export async function readyRuntimeFor(env: Env): Promise<Runtime> {
  const rt = await runtimeFor(env)
  await rt.checkKeys()
  return rt
}
