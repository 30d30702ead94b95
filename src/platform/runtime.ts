/**
 * The per-isolate runtime: parsed settings and the handles built from bindings. Built once per
 * `env` (settings checked then) and handed to routes through the context, to services as an argument.
 */
import { createKeyStore, type KeyStore } from './tokens/signing-keys'
import type { Env } from './bindings'
import { readRevokedBefore } from './db/control'
import { createIsolateCache, type IsolateCache } from './isolate-cache'
import { createBaseRuntime, type BaseRuntime } from './runtime-base'
import { checkKeyring, createKeyCheck } from './crypto/key-check'
import { createMailer, type Mailer } from './mail/mailer'
import { createLimiters, type LimitBindings, type Limiters } from './limits/rate-limits'

export interface Runtime extends BaseRuntime {
  keys: KeyStore
  /** The session objects; src/session/object/stub.ts types a stub by the object's RPC surface. */
  sessions: DurableObjectNamespace<Rpc.DurableObjectBranded>
  limits: Limiters
  mailer: Mailer
  /** The kill switch's `revoked_before` (ms, 0 if never pulled), cached like the keys. */
  killSwitch: IsolateCache<number>
  /**
   * Throws a `SettingsError` when stored values need a master key that is not configured; checked
   * once per isolate before the service answers (see platform/crypto/key-check.ts).
   */
  checkKeys: () => Promise<void>
  /** Static assets (public/): the demo page and /docs; null where the binding is absent. */
  assets: Fetcher | null
}

/** The Workers rate-limiting bindings (wrangler.toml `[[ratelimits]]`), by the limiter each serves. */
export function limitBindingsOf(env: Env): LimitBindings {
  return {
    anonymousPerIp: env.ANONYMOUS_PER_IP_LIMIT,
    authPerIp: env.AUTH_PER_IP_LIMIT,
    passwordPerEmail: env.PASSWORD_PER_EMAIL_LIMIT,
    refreshPerSession: env.REFRESH_PER_SESSION_LIMIT,
    refreshPerIp: env.REFRESH_PER_IP_LIMIT,
  }
}

/** How long an isolate trusts its copy of the kill switch: access tokens die within this. */
export const KILL_SWITCH_CACHE_TTL_MS = 30_000

export async function createRuntime(env: Env): Promise<Runtime> {
  const base = await createBaseRuntime(env)
  const { settings, db, keyring, userKeys, masterKeys, analytics } = base
  return {
    ...base,
    keys: createKeyStore({ db, sealingKeys: masterKeys }),
    sessions: env.SESSIONS,
    limits: createLimiters(limitBindingsOf(env), settings, analytics),
    mailer: createMailer(settings, db, env.EMAIL),
    killSwitch: createIsolateCache(() => readRevokedBefore(db), KILL_SWITCH_CACHE_TTL_MS),
    checkKeys: createKeyCheck(() => checkKeyring(db, keyring, userKeys)),
    assets: env.ASSETS ?? null,
  }
}
