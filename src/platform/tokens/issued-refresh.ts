/**
 * The first refresh secret of an issued anonymous session: self-certifying, so that a session
 * which exists only in its tokens (nothing in D1, no session object yet) can be refreshed, and
 * its object can check the secret with no stored hash.
 *
 * Layout (67 bytes, 90 base64url characters, so never confused with a 43-character random secret):
 *   version (1, = 1) | issue time, ms (8, big-endian) | user id body (26, `anon_` implied) | MAC (32)
 * The MAC is HMAC-SHA256 over the session id and the first 35 bytes, under a key derived with HKDF
 * from a master key (`ENCRYPTION_KEY`) for this one purpose. The session id is not in the secret
 * but is in the MAC, so the secret opens its own session only. The MAC is 256 bits that nobody
 * without the master key can compute; the user id and issue time are readable (the access token
 * shows both anyway) but not changeable.
 *
 * The secret is a function of (session id, user id, issue time, key): the object can rebuild it
 * from an access token's claims when a data write materialises the session (see SessionDO).
 */
import { fromBase64Url, toBase64Url } from '../encoding'
import type { Keyring } from '../crypto/keyring'
import { deriveKey } from '../crypto/sealing'

const VERSION = 1
const PAYLOAD_BYTES = 1 + 8 + 26
const MAC_BYTES = 32
export const ISSUED_SECRET_LENGTH = Math.ceil(((PAYLOAD_BYTES + MAC_BYTES) * 4) / 3)
const INFO = 'edge-session issued refresh v1'
const ANON_PREFIX = 'anon_'
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/

/** What an issued secret proves about its session. */
export interface IssuedClaims {
  userId: string
  /** Milliseconds: the session's issue time, as its access token's `iat_ms` says. */
  issuedAt: number
}

/** The MAC keys, one per configured master key, current first. */
export type IssuedSecretKeys = CryptoKey[]

export function isIssuedSecret(secret: string): boolean {
  return secret.length === ISSUED_SECRET_LENGTH
}

const deriveMacKey = (material: Uint8Array): Promise<CryptoKey> =>
  deriveKey(material, INFO, { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign', 'verify'])

/**
 * The keys from the keyring: new secrets under the current master key; one issued before a
 * rotation still opens under the previous key for as long as `ENCRYPTION_KEY_PREVIOUS` keeps it.
 */
export function issuedSecretKeys(keyring: Keyring): Promise<IssuedSecretKeys> {
  return Promise.all(
    [keyring.current, ...keyring.previous].map((key) => deriveMacKey(key.material)),
  )
}

function payload({ userId, issuedAt }: IssuedClaims): Uint8Array | null {
  const body = userId.startsWith(ANON_PREFIX) ? userId.slice(ANON_PREFIX.length) : ''
  if (!ID_BODY.test(body) || !Number.isSafeInteger(issuedAt) || issuedAt < 0) return null
  const bytes = new Uint8Array(PAYLOAD_BYTES)
  const view = new DataView(bytes.buffer)
  view.setUint8(0, VERSION)
  view.setBigUint64(1, BigInt(issuedAt))
  bytes.set(new TextEncoder().encode(body), 9)
  return bytes
}

function macInput(sessionId: string, data: Uint8Array): Uint8Array {
  const sid = new TextEncoder().encode(`${sessionId}\0`)
  const input = new Uint8Array(sid.length + data.length)
  input.set(sid)
  input.set(data, sid.length)
  return input
}

/** The first refresh secret of `sessionId`, under `key` (the current one unless rebuilding). */
export async function mintIssuedSecret(
  key: CryptoKey,
  sessionId: string,
  claims: IssuedClaims,
): Promise<string> {
  const data = payload(claims)
  if (!data) throw new Error('issued secrets are for anonymous user ids')
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, macInput(sessionId, data)))
  const secret = new Uint8Array(PAYLOAD_BYTES + MAC_BYTES)
  secret.set(data)
  secret.set(mac, PAYLOAD_BYTES)
  return toBase64Url(secret)
}

/** The claims of a genuine issued secret of `sessionId`, or null (forged, altered, moved). */
export async function openIssuedSecret(
  keys: IssuedSecretKeys,
  sessionId: string,
  secret: string,
): Promise<IssuedClaims | null> {
  if (!isIssuedSecret(secret)) return null
  const bytes = fromBase64Url(secret)
  if (!bytes || bytes.length !== PAYLOAD_BYTES + MAC_BYTES || bytes[0] !== VERSION) return null
  // One spelling per secret: the trailing bits of the last character must be zero.
  if (toBase64Url(bytes) !== secret) return null
  const data = bytes.slice(0, PAYLOAD_BYTES)
  const mac = bytes.slice(PAYLOAD_BYTES)
  const input = macInput(sessionId, data)
  let genuine = false
  // crypto.subtle.verify compares in constant time.
  for (const key of keys) {
    if (await crypto.subtle.verify('HMAC', key, mac, input)) {
      genuine = true
      break
    }
  }
  if (!genuine) return null
  const issuedAt = Number(new DataView(data.buffer).getBigUint64(1))
  const body = new TextDecoder().decode(data.slice(9))
  if (!ID_BODY.test(body)) return null
  return { userId: ANON_PREFIX + body, issuedAt }
}

/** Every form the first secret can take: one per configured master key. */
export function rebuildIssuedSecrets(
  keys: IssuedSecretKeys,
  sessionId: string,
  claims: IssuedClaims,
): Promise<string[]> {
  return Promise.all(keys.map((key) => mintIssuedSecret(key, sessionId, claims)))
}
