/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto, wrapped in an HMAC keyed by a pepper that
 * only the Worker's secrets hold (src/platform/crypto/password-peppers.ts), stored as
 * `pbkdf2-sha256-hmac$<pepperId>$<iterations>$<salt>$<hash>` (base64url). 100,000 iterations is the
 * ceiling the Workers runtime allows in production, a sixth of what OWASP asks of PBKDF2 alone: the
 * pepper is what keeps a copy of D1 from being guessed against offline.
 *
 * Hashes from before the pepper (`pbkdf2-sha256$<iterations>$<salt>$<hash>`), with fewer
 * iterations, or under a previous pepper still verify, and are reported outdated so the caller
 * rewrites them while it holds the password (at sign-in).
 */
import { fromBase64Url, randomBytes, toBase64Url } from '../../platform/encoding'
import type { Pepper, PepperRing } from '../../platform/crypto/password-peppers'
import { AppError } from '../../platform/errors'
import { CODE } from '../../contract/error-codes'

export const PBKDF2_ITERATIONS = 100_000
const SALT_BYTES = 16
const HASH_BYTES = 32
const SCHEME = 'pbkdf2-sha256-hmac'
const UNPEPPERED_SCHEME = 'pbkdf2-sha256'

/** What checking a password against a stored hash found. */
export type PasswordCheck =
  | { match: false }
  /** `outdated`: the hash is right but not in today's form; hash the password again. */
  | { match: true; outdated: boolean }

interface StoredHash {
  /** Null for a hash from before the pepper. */
  pepperId: string | null
  iterations: number
  salt: Uint8Array
  hash: Uint8Array
}

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
    HASH_BYTES * 8,
  )
  return new Uint8Array(bits)
}

async function pepperHash(pepper: Pepper, derived: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', pepper.key, derived))
}

function parseStoredHash(stored: string): StoredHash | null {
  const parts = stored.split('$')
  const [scheme] = parts
  const fields =
    scheme === SCHEME && parts.length === 5
      ? { pepperId: parts[1]!, rest: parts.slice(2) }
      : scheme === UNPEPPERED_SCHEME && parts.length === 4
        ? { pepperId: null, rest: parts.slice(1) }
        : null
  if (!fields) return null
  const [iterationsText = '', saltText = '', hashText = ''] = fields.rest
  const iterations = Number(iterationsText)
  const salt = fromBase64Url(saltText)
  const hash = fromBase64Url(hashText)
  if (!Number.isInteger(iterations) || iterations < 1 || !salt || hash?.length !== HASH_BYTES)
    return null
  return { pepperId: fields.pepperId, iterations, salt, hash }
}

const missingPepper = (pepperId: string) =>
  new AppError(
    503,
    CODE.misconfigured,
    `A stored password hash names pepper id ${pepperId}, which is not configured: put that pepper back in PASSWORD_PEPPER_PREVIOUS.`,
  )

export async function hashPassword(peppers: PepperRing, password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const pepper = peppers.current
  const hash = await pepperHash(pepper, await derive(password, salt, PBKDF2_ITERATIONS))
  return `${SCHEME}$${pepper.id}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

/** Stands in for a missing hash, so an unknown email costs the same derivation and HMAC. */
const DECOY: Omit<StoredHash, 'pepperId'> = {
  iterations: PBKDF2_ITERATIONS,
  salt: new Uint8Array(SALT_BYTES),
  hash: new Uint8Array(HASH_BYTES),
}

/**
 * Checks a password against a stored hash in constant time. With no stored hash (unknown email,
 * or an account without a password) it still runs one derivation and one HMAC and answers no
 * match. A hash under a pepper that is no longer configured is the operator's to fix: 503.
 */
export async function verifyPassword(
  peppers: PepperRing,
  password: string,
  stored: string | null,
): Promise<PasswordCheck> {
  const parsed =
    stored === null ? { ...DECOY, pepperId: peppers.current.id } : parseStoredHash(stored)
  if (!parsed) return { match: false }
  const pepper = parsed.pepperId === null ? null : peppers.byId(parsed.pepperId)
  if (pepper === undefined) throw missingPepper(parsed.pepperId!)
  const derived = await derive(
    password,
    parsed.salt,
    Math.min(parsed.iterations, PBKDF2_ITERATIONS),
  )
  const actual = pepper ? await pepperHash(pepper, derived) : derived
  if (!crypto.subtle.timingSafeEqual(actual, parsed.hash) || stored === null)
    return { match: false }
  const outdated = pepper !== peppers.current || parsed.iterations < PBKDF2_ITERATIONS
  return { match: true, outdated }
}
