/**
 * The per-isolate runtime: parsed settings and the handles built from bindings. Built once per
 * `env` (settings checked then) and handed to routes through the context, to services as an argument.
 */
import { createKeyStore, type KeyStore } from './auth/signing-keys'
import { parseSettings, type Env, type Settings } from './config'
import { createDb, type Db } from './db/client'
import { readRevokedBefore } from './db/control'
import { createIsolateCache, type IsolateCache } from './services/isolate-cache'
import { createMailer, type Mailer } from './services/mailer'
import type { SessionEventQueue } from './services/session-events'
import { createLimiters, type Limiters } from './services/rate-limits'
import { importEncryptionKey } from './services/sealing'
import { createUserKeys, type UserKeys } from './services/user-keys'
import type { SessionDO } from '../durable-objects/session'

export interface Runtime {
  settings: Settings
  db: Db
  keys: KeyStore
  sessions: DurableObjectNamespace<SessionDO>
  encryptionKey: CryptoKey
  limits: Limiters
  mailer: Mailer
  /** The key each user's sealed data (secrets, OAuth state) is encrypted under. */
  userKeys: UserKeys
  /** The kill switch's `revoked_before` (ms, 0 if never pulled), cached like the keys. */
  killSwitch: IsolateCache<number>
  /** Where merge and erase events go for other Workers; undefined when not bound. */
  events: SessionEventQueue | undefined
}

/** How long an isolate trusts its copy of the kill switch: access tokens die within this. */
export const KILL_SWITCH_CACHE_TTL_MS = 30_000

export async function createRuntime(env: Env): Promise<Runtime> {
  const settings = parseSettings(env)
  const db = createDb(env.DB)
  const encryptionKey = await importEncryptionKey(settings.ENCRYPTION_KEY)
  return {
    settings,
    db,
    encryptionKey,
    keys: createKeyStore({ db, encryptionKey }),
    sessions: env.SESSIONS,
    limits: createLimiters(env, settings, db),
    mailer: createMailer(settings, db),
    userKeys: createUserKeys(settings.ENCRYPTION_KEY),
    killSwitch: createIsolateCache(() => readRevokedBefore(db), KILL_SWITCH_CACHE_TTL_MS),
    events: env.SESSION_EVENTS,
  }
}

/** The session's Durable Object; the sid alone routes to it. */
export function sessionStub(rt: Runtime, sessionId: string) {
  return rt.sessions.get(rt.sessions.idFromName(sessionId))
}
