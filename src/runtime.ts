/**
 * The per-isolate runtime: parsed settings and the handles built from bindings. Built once per
 * `env` (settings checked then) and handed to routes through the context, to services as an argument.
 */
import { createKeyStore, type KeyStore } from './auth/signing-keys'
import { parseSettings, type Env, type Settings } from './config'
import { createDb, type Db } from './db/client'
import { readRevokedBefore } from './db/control'
import { createIsolateCache, type IsolateCache } from './isolate-cache'
import { checkKeyring, createKeyCheck } from './services/key-check'
import { createKeyring, masterSealingKeys, type Keyring } from './auth/keyring'
import { createMailer, type Mailer } from './services/mailer'
import type { SessionEventQueue } from './services/session-events'
import { createLimiters, type Limiters } from './services/rate-limits'
import type { SealingKeys } from './auth/sealing'
import { createUserKeys, type UserKeys } from './auth/user-keys'
import type { SessionDO } from '../durable-objects/session'

export interface Runtime {
  settings: Settings
  db: Db
  keys: KeyStore
  sessions: DurableObjectNamespace<SessionDO>
  /** The master keys: `ENCRYPTION_KEY` and `ENCRYPTION_KEY_PREVIOUS`. */
  keyring: Keyring
  /** The master keys as they seal the signing keys' private halves. */
  masterKeys: SealingKeys
  limits: Limiters
  mailer: Mailer
  /** The keys each user's data (secrets, OAuth state) is sealed under, one per master key. */
  userKeys: UserKeys
  /** The kill switch's `revoked_before` (ms, 0 if never pulled), cached like the keys. */
  killSwitch: IsolateCache<number>
  /**
   * Throws a `SettingsError` when stored values need a master key that is not configured; checked
   * once per isolate before the service answers (see services/key-check.ts).
   */
  checkKeys: () => Promise<void>
  /** Static assets (public/): the demo page and /docs; null where the binding is absent. */
  assets: Fetcher | null
  /** Where merge and erase events go for other Workers; undefined when not bound. */
  events: SessionEventQueue | undefined
}

/** How long an isolate trusts its copy of the kill switch: access tokens die within this. */
export const KILL_SWITCH_CACHE_TTL_MS = 30_000

export async function createRuntime(env: Env): Promise<Runtime> {
  const settings = parseSettings(env)
  const db = createDb(env.DB)
  const keyring = await createKeyring(settings.ENCRYPTION_KEY, settings.ENCRYPTION_KEY_PREVIOUS)
  const masterKeys = masterSealingKeys(keyring)
  const userKeys = createUserKeys(keyring)
  return {
    settings,
    db,
    keyring,
    masterKeys,
    keys: createKeyStore({ db, sealingKeys: masterKeys }),
    sessions: env.SESSIONS,
    limits: createLimiters(env, settings, db),
    mailer: createMailer(settings, db),
    userKeys,
    killSwitch: createIsolateCache(() => readRevokedBefore(db), KILL_SWITCH_CACHE_TTL_MS),
    checkKeys: createKeyCheck(() => checkKeyring(db, keyring, userKeys)),
    assets: env.ASSETS ?? null,
    events: env.SESSION_EVENTS,
  }
}

/** The session's Durable Object; the sid alone routes to it. */
export function sessionStub(rt: Runtime, sessionId: string) {
  return rt.sessions.get(rt.sessions.idFromName(sessionId))
}
