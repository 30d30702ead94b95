/**
 * The master encryption keys: `ENCRYPTION_KEY` seals everything new, `ENCRYPTION_KEY_PREVIOUS`
 * (newest first) only opens what it sealed until the sweep has re-sealed it under the current key.
 * Each key is known by a short id derived from it (never the key), which every sealed value carries.
 *
 * Values sealed before key ids existed carry none. They were all sealed by the one key the service
 * had then, which a rotation moves to the end of `ENCRYPTION_KEY_PREVIOUS`, so they are attributed
 * to the oldest configured key: a fixed rule, not a guess per read. The start-up check
 * (platform/crypto/key-check.ts) proves the rule on one such value before the service answers.
 */
import { fromBase64, toBase64Url } from '../encoding'
import { deriveSealingKey, importEncryptionKey, type SealingKeys } from './sealing'

/** One master key, imported. */
export interface MasterKey {
  id: string
  /** Raw bytes, the input of every key derived from this one (per-user keys). */
  material: Uint8Array
  /** The key itself as AES-GCM, for what is sealed directly under it (signing keys). */
  aes: CryptoKey
}

export interface Keyring {
  current: MasterKey
  /** Older keys, newest first; read-only. */
  previous: MasterKey[]
  /** The id unlabelled values are attributed to: the oldest configured key. */
  legacyId: string
  byId(id: string): MasterKey | undefined
}

const KEY_ID_LABEL = 'edge-session master key id v1'

/**
 * A key's id: the first 8 bytes of HMAC-SHA256(key, fixed label), base64url (11 characters). It
 * names the key in data and logs and reveals nothing of it. Each kind of key has its own label, so
 * one secret reused for two purposes does not show as the same id in both.
 */
export async function deriveKeyId(material: Uint8Array, label = KEY_ID_LABEL): Promise<string> {
  const hmac = await crypto.subtle.importKey(
    'raw',
    material,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(label))
  return toBase64Url(new Uint8Array(mac).slice(0, 8))
}

async function importMasterKey(base64Key: string): Promise<MasterKey> {
  const material = fromBase64(base64Key)
  const [id, aes] = await Promise.all([deriveKeyId(material), importEncryptionKey(base64Key)])
  return { id, material, aes }
}

/** Imports the current key and the previous ones (settings already checked their format). */
export async function createKeyring(
  current: string,
  previous: readonly string[],
): Promise<Keyring> {
  const [currentKey, ...older] = await Promise.all([current, ...previous].map(importMasterKey))
  if (!currentKey) throw new Error('no current key')
  // A previous key equal to the current one (or listed twice) adds nothing.
  const seen = new Set([currentKey.id])
  const previousKeys = older.filter((key) => !seen.has(key.id) && seen.add(key.id))
  const byId = new Map([currentKey, ...previousKeys].map((key) => [key.id, key]))
  return {
    current: currentKey,
    previous: previousKeys,
    legacyId: (previousKeys.at(-1) ?? currentKey).id,
    byId: (id) => byId.get(id),
  }
}

/** The keys for values sealed directly under the master key (the signing keys' private halves). */
export function masterSealingKeys(keyring: Keyring): SealingKeys {
  return {
    currentId: keyring.current.id,
    legacyId: keyring.legacyId,
    keyFor: (id) => {
      const key = keyring.byId(id)
      return key && Promise.resolve(key.aes)
    },
  }
}

/** Keys derived (HKDF) from each master key under one `info` label. */
export function derivedSealingKeys(keyring: Keyring, info: string): SealingKeys {
  return {
    currentId: keyring.current.id,
    legacyId: keyring.legacyId,
    keyFor: (id) => {
      const key = keyring.byId(id)
      return key && deriveSealingKey(key.material, info)
    },
  }
}
