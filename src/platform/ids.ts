/**
 * Prefixed identifiers: `anon_`, `usr_`, `sess_`, `doc_`, `key_`, `pk_` (passkeys) followed by 26 Crockford base32 characters
 * holding 128 random bits. Every id from a client is checked against its pattern before any lookup.
 */
import { randomBytes } from './encoding'

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'
const BODY = '[0-9a-hjkmnp-tv-z]{26}'

export const ID_PATTERNS = {
  anon: new RegExp(`^anon_${BODY}$`),
  usr: new RegExp(`^usr_${BODY}$`),
  sess: new RegExp(`^sess_${BODY}$`),
  doc: new RegExp(`^doc_${BODY}$`),
  key: new RegExp(`^key_${BODY}$`),
  pk: new RegExp(`^pk_${BODY}$`),
  idn: new RegExp(`^idn_${BODY}$`),
} as const

export const USER_ID_PATTERN = new RegExp(`^(anon|usr)_${BODY}$`)

export type IdPrefix = keyof typeof ID_PATTERNS

/** A new id with 128 bits from `crypto.getRandomValues`, e.g. `sess_0f3k…`. */
export function createId(prefix: IdPrefix): string {
  const bytes = randomBytes(16)
  // 128 bits read as 26 five-bit groups; the first group holds the top 3 bits.
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  let body = ''
  for (let i = 0; i < 26; i++) {
    body = CROCKFORD[Number(value & 31n)] + body
    value >>= 5n
  }
  return `${prefix}_${body}`
}

export function isId(prefix: IdPrefix, value: string): boolean {
  return ID_PATTERNS[prefix].test(value)
}
