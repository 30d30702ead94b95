/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto, stored as
 * `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url) so the cost can rise later and old hashes
 * still verify. 100,000 iterations is the ceiling the Workers runtime allows in production.
 */
import { fromBase64Url, randomBytes, toBase64Url } from '../platform/encoding'

export const PBKDF2_ITERATIONS = 100_000
const SALT_BYTES = 16
const HASH_BITS = 256
const SCHEME = 'pbkdf2-sha256'

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password),
    'PBKDF2',
    false,
    ['deriveBits'],
  )
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    HASH_BITS,
  )
  return new Uint8Array(bits)
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const hash = await derive(password, salt, PBKDF2_ITERATIONS)
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

/** A stored hash that matches no password, so an unknown email costs the same derivation. */
const DECOY_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(new Uint8Array(SALT_BYTES))}$${toBase64Url(new Uint8Array(HASH_BITS / 8))}`

/**
 * Checks a password against a stored hash in constant time. With no stored hash (unknown email, or
 * an account without a password) it still runs one derivation and answers false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = (stored ?? DECOY_HASH).split('$')
  const iterations = Number(iterationsText)
  const salt = fromBase64Url(saltText ?? '')
  const expected = fromBase64Url(hashText ?? '')
  if (scheme !== SCHEME || !Number.isInteger(iterations) || iterations < 1 || !salt || !expected)
    return false
  const actual = await derive(password, salt, Math.min(iterations, PBKDF2_ITERATIONS))
  return crypto.subtle.timingSafeEqual(actual, expected) && stored !== null
}
