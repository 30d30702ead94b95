/**
 * Refresh tokens: opaque `<sid>.<secret>`, the secret being 32 random bytes in base64url. The sid
 * prefix routes a token to its session's Durable Object with no lookup; only hashes are stored.
 * An issued session's first secret is longer and self-certifying (see issued-refresh.ts).
 */
import { randomBytes, toBase64Url } from '../encoding'
import { isId } from '../ids'
import { ISSUED_SECRET_LENGTH } from './issued-refresh'

const SECRET_PATTERN = new RegExp(`^(?:[A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{${ISSUED_SECRET_LENGTH}})$`)

export interface RefreshTokenParts {
  sessionId: string
  secret: string
}

export function createRefreshSecret(): string {
  return toBase64Url(randomBytes(32))
}

export function formatRefreshToken(sessionId: string, secret: string): string {
  return `${sessionId}.${secret}`
}

/** Splits a refresh token, or returns null when it is not shaped like one. */
export function parseRefreshToken(token: string): RefreshTokenParts | null {
  const dot = token.indexOf('.')
  if (dot < 0) return null
  const sessionId = token.slice(0, dot)
  const secret = token.slice(dot + 1)
  if (!isId('sess', sessionId) || !SECRET_PATTERN.test(secret)) return null
  return { sessionId, secret }
}
