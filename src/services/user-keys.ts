/**
 * Per-user encryption keys for data at rest (secrets, OAuth state): HKDF-SHA256 from
 * ENCRYPTION_KEY with the user id as context, so one user's key opens no other user's rows.
 */
import { fromBase64 } from '../encoding'
import { deriveSealingKey } from './sealing'

/** Derives the AES-GCM key of one user's data. */
export type UserKeys = (userId: string) => Promise<CryptoKey>

export function createUserKeys(encryptionKeyBase64: string): UserKeys {
  const material = fromBase64(encryptionKeyBase64)
  return (userId) => deriveSealingKey(material, `edge-session user data v1:${userId}`)
}
