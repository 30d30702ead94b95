/**
 * What the Worker and the session object both build from the bindings, the same way: the parsed
 * settings, D1, the master keys and the events queue. A bad setting (an `ENCRYPTION_KEY` that is
 * not 32 bytes) fails here with the `SettingsError` that names it, in the object as in the Worker.
 */
import { createKeyring, masterSealingKeys, type Keyring } from './crypto/keyring'
import type { SealingKeys } from './crypto/sealing'
import { createUserKeys, type UserKeys } from './crypto/user-keys'
import { parseSettings, type Bindings, type Settings } from './config'
import { createDb, type Db } from './db/client'
import type { SessionEventQueue } from '../contract/events'
import { issuedSecretKeys, type IssuedSecretKeys } from './tokens/issued-refresh'
import { createAnalytics, type Analytics } from './limits/analytics'
import { createPepperRing, type PepperRing } from './crypto/password-peppers'

export interface BaseRuntime {
  settings: Settings
  db: Db
  /** The master keys: `ENCRYPTION_KEY` and `ENCRYPTION_KEY_PREVIOUS`. */
  keyring: Keyring
  /** The master keys as they seal the signing keys' private halves. */
  masterKeys: SealingKeys
  /** The keys each user's data (secrets, OAuth state) is sealed under, one per master key. */
  userKeys: UserKeys
  /** Where merge and erase events go for other Workers; undefined when not bound. */
  events: SessionEventQueue | undefined
  /** The MAC keys of issued sessions' first refresh secrets (platform/tokens/issued-refresh.ts). */
  issuedKeys: IssuedSecretKeys
  /** Counts kept out of D1: sessions issued, rate-limit hits (Workers Analytics Engine). */
  analytics: Analytics
  /** The password peppers: `PASSWORD_PEPPER` and `PASSWORD_PEPPER_PREVIOUS`. */
  peppers: PepperRing
}

export async function createBaseRuntime(env: Bindings): Promise<BaseRuntime> {
  const settings = parseSettings(env)
  const keyring = await createKeyring(settings.ENCRYPTION_KEY, settings.ENCRYPTION_KEY_PREVIOUS)
  return {
    settings,
    db: createDb(env.DB),
    keyring,
    masterKeys: masterSealingKeys(keyring),
    userKeys: createUserKeys(keyring),
    events: env.SESSION_EVENTS,
    issuedKeys: await issuedSecretKeys(keyring),
    analytics: createAnalytics(env.ANALYTICS),
    peppers: await createPepperRing(settings.PASSWORD_PEPPER, settings.PASSWORD_PEPPER_PREVIOUS),
  }
}
