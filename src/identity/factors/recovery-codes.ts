/**
 * Recovery codes: ten random codes shown once, kept as SHA-256 hashes (each carries 60 random
 * bits, so a fast hash is enough: nothing short to guess), each working once.
 */
import { randomBytes, sha256Base64Url } from '../../platform/encoding'

export const RECOVERY_CODE_COUNT = 10

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A code like `7Q4M-9KXT-2B8D`: 12 characters of 5 bits. */
function createRecoveryCode(): string {
  const chars = [...randomBytes(12)].map((byte) => ALPHABET[byte & 31]).join('')
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`
}

export function createRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, createRecoveryCode)
}

/** The stored form: typed codes are matched whatever their case, spaces and dashes. */
export function hashRecoveryCode(code: string): Promise<string> {
  return sha256Base64Url(code.toUpperCase().replace(/[^0-9A-Z]/g, ''))
}
