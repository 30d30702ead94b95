/**
 * The session a sign-in request proves it holds: `refreshToken` in the body (token clients), else
 * the session cookie (browsers). An access token is not proof: it is short-lived and travels in
 * every request, so whoever copies one must not be able to carry the session's data off with it.
 */
import type { Context } from 'hono'
import { z } from '@hono/zod-openapi'
import { parseRefreshToken } from '../platform/tokens/refresh-token'
import { readCredentialCookies } from '../http/transport'
import { invalidRequest } from '../platform/errors'
import type { Runtime } from '../platform/runtime'
import { sessionStub } from '../session'
import type { SessionProof } from './sign-in'
import type { AppEnv } from '../http/app-env'

/** The optional body field that proves a token client's session. */
export const RefreshTokenField = z.string().max(512).optional().openapi({
  description:
    "Token clients: this session's refresh token, so that an anonymous session's data merges.",
})

export function sessionProof(
  c: Context<AppEnv>,
  bodyRefreshToken: string | undefined,
): SessionProof | null {
  if (bodyRefreshToken !== undefined) {
    const parts = parseRefreshToken(bodyRefreshToken)
    if (!parts) throw invalidRequest('body.refreshToken: is not a refresh token')
    return parts
  }
  const cookie = readCredentialCookies(c).session
  return cookie ? parseRefreshToken(cookie) : null
}

/**
 * Whether the request's refresh credential opens its live session (without rotating it): a
 * session id is public, so whatever a session's requests spend must wait for this answer.
 */
export function holdsSession(
  rt: Runtime,
  from: SessionProof,
  at: { now: number; revokedBefore: number },
): Promise<boolean> {
  return sessionStub(rt, from.sessionId).holds(from.secret, {
    sessionId: from.sessionId,
    now: at.now,
    reuseGraceSeconds: rt.settings.REFRESH_REUSE_GRACE,
    revokedBefore: at.revokedBefore,
  })
}
