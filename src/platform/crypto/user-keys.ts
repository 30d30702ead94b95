/**
 * Per-user encryption keys for data at rest (secrets, OAuth state): HKDF-SHA256 from each master
 * key with the user id as context, so one user's key opens no other user's rows. During a
 * rotation a user's values may be sealed under keys derived from the current or a previous master
 * key; each value names which.
 */
import { derivedSealingKeys, type Keyring } from './keyring'
import type { SealingKeys } from './sealing'

/** The sealing keys of one user's data. */
export type UserKeys = (userId: string) => SealingKeys

export function createUserKeys(keyring: Keyring): UserKeys {
  return (userId) => derivedSealingKeys(keyring, `edge-session user data v1:${userId}`)
}
