/**
 * Encryption at rest with AES-GCM through WebCrypto. A sealed value is `<iv>.<ciphertext>` in
 * base64url, with a fresh 96-bit IV for every seal.
 */
import { fromBase64, fromBase64Url, randomBytes, toBase64Url } from '../encoding'

/** Imports the `ENCRYPTION_KEY` secret (32 bytes, base64) as an AES-GCM key. */
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

export async function seal(key: CryptoKey, plaintext: string): Promise<string> {
  const iv = randomBytes(12)
  const data = new TextEncoder().encode(plaintext)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data))
  return `${toBase64Url(iv)}.${toBase64Url(ciphertext)}`
}

/** Opens a sealed value; throws if it was not sealed under this key or was altered. */
export async function unseal(key: CryptoKey, sealed: string): Promise<string> {
  const [ivText = '', dataText = ''] = sealed.split('.')
  const iv = fromBase64Url(ivText)
  const data = fromBase64Url(dataText)
  if (!iv || !data) throw new Error('sealed value is malformed')
  const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, data)
  return new TextDecoder().decode(plaintext)
}
