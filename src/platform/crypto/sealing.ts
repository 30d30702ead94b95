/**
 * Encryption at rest with AES-GCM through WebCrypto. A sealed value is `<keyId>:b.<iv>.<ciphertext>`
 * (iv and ciphertext in base64url, a fresh 96-bit IV for every seal): the key id names the master
 * key it was sealed under, so a read picks its key instead of trying each, and `b.` says the value
 * is bound to its slot (user, kind, name) as AES-GCM associated data, so a value copied into
 * another row, column or user does not open there.
 *
 * Older forms still open: `<keyId>:<iv>.<ciphertext>` (labelled, not bound) and `<iv>.<ciphertext>`
 * (from before key ids). The sweep's re-sealing step rewrites both into the bound form. A bound
 * value cannot be passed off as an unbound one: stripping `b.` leaves a tag computed over the
 * associated data, which then fails. An IV is 16 base64url characters, so `b` is never one.
 */
import { AppError } from '../errors'
import { fromBase64, fromBase64Url, randomBytes, toBase64Url } from '../encoding'
import { CODE } from '../../contract/error-codes'

/** The keys one kind of value is sealed under, by master key id (see platform/crypto/keyring.ts). */
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

/**
 * Derives a key for one purpose (`info`) from high-entropy input key material with HKDF-SHA256:
 * the one derivation behind the sealing keys and the issued secrets' MAC keys.
 */
export async function deriveKey(
  material: Uint8Array,
  info: string,
  algorithm: SubtleCryptoImportKeyAlgorithm,
  usages: string[],
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', material, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: new TextEncoder().encode(info),
    },
    base,
    algorithm,
    false,
    usages,
  )
}

/** Derives an AES-GCM key from high-entropy input key material with HKDF-SHA256. */
export function deriveSealingKey(material: Uint8Array, info: string): Promise<CryptoKey> {
  return deriveKey(material, info, { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt'])
}

import type { SealedKind } from '../shared-types'
export type { SealedKind }

/**
 * Where a sealed value belongs: its owner (a user id; '' for values under the master key itself),
 * what it is, and its name within the owner (secret name, OAuth server id, key id).
 */
export interface SealedSlot {
  kind: SealedKind
  owner: string
  name: string
}

/** The marker of a value bound to its slot (see the module comment). */
const BOUND = 'b.'

/** The associated data for a slot: unambiguous, since JSON quotes each part. */
const associatedData = ({ kind, owner, name }: SealedSlot): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(['edge-session sealed v2', kind, owner, name]))

/** Seals under the current master key, labelled with its id and bound to `slot`. */
export async function sealValue(
  keys: SealingKeys,
  plaintext: string,
  slot: SealedSlot,
): Promise<string> {
  const key = await keys.keyFor(keys.currentId)
  if (!key) throw new Error('the current master key has no sealing key')
  return `${keys.currentId}:${BOUND}${await seal(key, plaintext, associatedData(slot))}`
}

/**
 * Opens a value with the key it names (an unlabelled one with the legacy key), checking that it
 * belongs to `slot` when it is bound. A key that is not configured is the operator's to fix, so it
 * answers 503 `misconfigured`, not a 500.
 */
export async function openValue(
  keys: SealingKeys,
  sealed: string,
  slot: SealedSlot,
): Promise<string> {
  const keyId = sealedKeyId(sealed) ?? keys.legacyId
  const key = await keys.keyFor(keyId)
  if (!key) throw missingKey(keyId)
  const body = sealed.slice(sealed.indexOf(':') + 1)
  try {
    return body.startsWith(BOUND)
      ? await unseal(key, body.slice(BOUND.length), associatedData(slot))
      : await unseal(key, body)
  } catch (error) {
    // Not the client's doing: the row was altered or copied from another slot. The log says so.
    throw new Error(
      `a stored ${slot.kind} value (${slot.name}) does not authenticate: altered, or moved from another row`,
      { cause: error },
    )
  }
}

/** The prefix of every value in the current form under `keyId` (for SQL `instr`). */
export const currentFormPrefix = (keyId: string): string => `${keyId}:${BOUND}`

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

/** Seals with one key, unlabelled: `<iv>.<ciphertext>`, over `additionalData` when given. */
export async function seal(
  key: CryptoKey,
  plaintext: string,
  additionalData?: Uint8Array,
): Promise<string> {
  const iv = randomBytes(12)
  const data = new TextEncoder().encode(plaintext)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt(gcm(iv, additionalData), key, data))
  return `${toBase64Url(iv)}.${toBase64Url(ciphertext)}`
}

/**
 * Opens an unlabelled value; throws if it was not sealed under this key with this associated
 * data, or was altered.
 */
export async function unseal(
  key: CryptoKey,
  sealed: string,
  additionalData?: Uint8Array,
): Promise<string> {
  const [ivText = '', dataText = ''] = sealed.split('.')
  const iv = fromBase64Url(ivText)
  const data = fromBase64Url(dataText)
  if (!iv || !data) throw new Error('sealed value is malformed')
  const plaintext = await crypto.subtle.decrypt(gcm(iv, additionalData), key, data)
  return new TextDecoder().decode(plaintext)
}

const gcm = (iv: Uint8Array, additionalData?: Uint8Array) =>
  additionalData ? { name: 'AES-GCM', iv, additionalData } : { name: 'AES-GCM', iv }

/** The slot of a user's secret. */
export const secretSlot = (userId: string, name: string): SealedSlot => ({
  kind: 'secret',
  owner: userId,
  name,
})

/** The slot of one field of a user's OAuth record for a server. */
export const oauthSlot = (
  field: 'tokens' | 'client' | 'verifier',
  userId: string,
  serverId: string,
): SealedSlot => ({ kind: `oauth.${field}`, owner: userId, name: serverId })

/** The slot of a signing key's private half (sealed under the master key, owned by no user). */
export const signingKeySlot = (kid: string): SealedSlot => ({
  kind: 'signing-key',
  owner: '',
  name: kid,
})

/** The slot of a user's TOTP secret (one per account). */
export const totpSlot = (userId: string): SealedSlot => ({
  kind: 'totp-secret',
  owner: userId,
  name: 'totp',
})
