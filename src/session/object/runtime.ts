/**
 * What a session object builds from its bindings, once per isolate: the settings (parsed
 * synchronously by the same function as the Worker's) and the base runtime (D1, master keys),
 * built on first use, and the lifetimes and first-secret checks that follow from them. A failed
 * build (a bad setting) is forgotten, so the next call tries again and a fixed deployment recovers
 * without a restart.
 */
import { parseSettings, type Bindings, type Settings } from '../../platform/config'
import { createBaseRuntime, type BaseRuntime } from '../../platform/runtime-base'
import { cachePerEnv } from '../../platform/runtime-cache'
import { CLOCK_SKEW_SECONDS } from '../../platform/tokens/access-token'
import { openIssuedSecret, type IssuedClaims } from '../../platform/tokens/issued-refresh'
import { issuedLifetimeMs } from '../record'

/**
 * Built once per isolate and shared by its session objects (keyed by their bindings): every
 * session has an object of its own, so a new session's first call was paying the settings parse
 * and the master keys' import again (a twentieth of a first refresh's CPU, profiled under load).
 */
const baseRuntimeOf = cachePerEnv(createBaseRuntime)
const settingsOf = new WeakMap<Bindings, Settings>()

export class ObjectRuntime {
  readonly #env: Bindings

  constructor(env: Bindings) {
    this.#env = env
  }

  get(): Promise<BaseRuntime> {
    return baseRuntimeOf(this.#env)
  }

  settings(): Settings {
    let settings = settingsOf.get(this.#env)
    if (!settings) {
      settings = parseSettings(this.#env)
      settingsOf.set(this.#env, settings)
    }
    return settings
  }

  /** How long a first secret lives: as long as a session started at its issue would. */
  issuedLifetimeMs(idleTtlSeconds: number): number {
    return issuedLifetimeMs(idleTtlSeconds, this.settings().SESSION_ABSOLUTE_TTL)
  }

  /** How long an access token of the session may still verify after it ends. */
  accessLifetimeMs(): number {
    return (this.settings().ACCESS_TTL + CLOCK_SKEW_SECONDS) * 1000
  }

  /** The claims of a session's self-certifying first secret, or null when it is not one. */
  async openFirstSecret(sessionId: string, secret: string): Promise<IssuedClaims | null> {
    return openIssuedSecret((await this.get()).issuedKeys, sessionId, secret)
  }
}
