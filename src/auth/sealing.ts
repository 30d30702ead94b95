/**
 * Encryption at rest with AES-GCM through WebCrypto. A sealed value is `<keyId>:<iv>.<ciphertext>`
 * (iv and ciphertext in base64url, a fresh 96-bit IV for every seal): the key id names the master
 * key it was sealed under, so a read picks its key instead of trying each. Values sealed before
 * key ids existed are `<iv>.<ciphertext>` ("unlabelled"); base64url has no `:`, so the two forms
 * cannot be confused.
 */
import { AppError } from '../errors'
import { fromBase64, fromBase64Url, randomBytes, toBase64Url } from '../encoding'
import { CODE } from '../error-codes'

/** The keys one kind of value is sealed under, by master key id (see auth/keyring.ts). */
export interface SealingKeys {
  /** The master key id new values are sealed under and labelled with. */
  currentId: string
  /** The master key id unlabelled values are attributed to. */
  legacyId: string
  /** The key for a master key id; undefined when that master key is not configured. */
  keyFor(keyId: string): Promise<CryptoKey> | undefined
}

/** Imports a 32-byte key (base64) as an AES-GCM key. */
export function importEncryptionKey(base64Key: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', fromBase64(base64Key), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ])
}

/** Derives an AES-GCM key from high-entropy input key material with HKDF-SHA256. */
export async function deriveSealingKey(material: Uint8Array, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', material, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: new TextEncoder().encode(info),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/** Seals under the current master key, labelled with its id. */
export async function sealValue(keys: SealingKeys, plaintext: string): Promise<string> {
  const key = await keys.keyFor(keys.currentId)
  if (!key) throw new Error('the current master key has no sealing key')
  return `${keys.currentId}:${await seal(key, plaintext)}`
}

/**
 * Opens a value with the key it names (an unlabelled one with the legacy key). A key that is not
 * configured is the operator's to fix, so it answers 503 `misconfigured`, not a 500.
 */
export async function openValue(keys: SealingKeys, sealed: string): Promise<string> {
  const keyId = sealedKeyId(sealed) ?? keys.legacyId
  const key = await keys.keyFor(keyId)
  if (!key) throw missingKey(keyId)
  return unseal(key, sealed.slice(sealed.indexOf(':') + 1))
}

/** The master key id a sealed value names; null for an unlabelled value. */
export function sealedKeyId(sealed: string): string | null {
  const colon = sealed.indexOf(':')
  return colon < 0 ? null : sealed.slice(0, colon)
}

export const missingKey = (keyId: string) =>
  new AppError(
    503,
    CODE.misconfigured,
    `A stored value is sealed under encryption key id ${keyId}, which is not configured: put that key back in ENCRYPTION_KEY_PREVIOUS.`,
  )

/** Seals with one key, unlabelled: `<iv>.<ciphertext>`. */
export async function seal(key: CryptoKey, plaintext: string): Promise<string> {
  const iv = randomBytes(12)
  const data = new TextEncoder().encode(plaintext)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data))
  return `${toBase64Url(iv)}.${toBase64Url(ciphertext)}`
}

/** Opens an unlabelled value; throws if it was not sealed under this key or was altered. */
export async function unseal(key: CryptoKey, sealed: string): Promise<string> {
  const [ivText = '', dataText = ''] = sealed.split('.')
  const iv = fromBase64Url(ivText)
  const data = fromBase64Url(dataText)
  if (!iv || !data) throw new Error('sealed value is malformed')
  const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, data)
  return new TextDecoder().decode(plaintext)
}
