/**
 * The password peppers: `PASSWORD_PEPPER` keys the HMAC around every new password hash, and
 * `PASSWORD_PEPPER_PREVIOUS` (newest first) only verifies hashes made under it until their owners
 * sign in again. Each pepper is known by a short id derived from it, which every hash carries, so
 * a check picks its pepper instead of trying each. The peppers live only in Worker secrets: a copy
 * of D1 holds hashes that no guess can be tested against without them.
 */
import { fromBase64 } from '../encoding'
import { deriveKeyId } from './keyring'

const PEPPER_ID_LABEL = 'edge-session password pepper id v1'

export interface Pepper {
  id: string
  /** HMAC-SHA256 under the pepper. */
  key: CryptoKey
}

export interface PepperRing {
  current: Pepper
  /** The pepper a stored hash names; undefined when it is not configured (any more). */
  byId(id: string): Pepper | undefined
}

async function importPepper(base64Key: string): Promise<Pepper> {
  const material = fromBase64(base64Key)
  const [id, key] = await Promise.all([
    deriveKeyId(material, PEPPER_ID_LABEL),
    crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  ])
  return { id, key }
}

/** Imports the current pepper and the previous ones (settings already checked their format). */
export async function createPepperRing(
  current: string,
  previous: readonly string[],
): Promise<PepperRing> {
  const peppers = await Promise.all([current, ...previous].map(importPepper))
  const byId = new Map<string, Pepper>()
  // The current pepper wins over a previous one that equals it.
  for (const pepper of peppers) if (!byId.has(pepper.id)) byId.set(pepper.id, pepper)
  return { current: peppers[0]!, byId: (id) => byId.get(id) }
}
