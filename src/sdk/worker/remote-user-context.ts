/**
 * The user-context middleware for another Worker: `c.var.user` from this service's access tokens,
 * verified against its published JWKS. It only verifies (no D1, no Durable Objects, no refresh):
 * an expired token is the client's cue to refresh at the service. Credentials, in order:
 * `Authorization: Bearer`, then the access cookie (when the app shares the service's host).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'
import {
  looksLikeJwt,
  verifyAccessTokenWith,
  KeySetUnavailableError,
} from '../../platform/tokens/access-token'
import { readBearerToken } from '../../http/transport'
import type { UserContext } from '../../contract/api'
import { AppError, errorBody, unauthorized } from '../../platform/errors'
import { parseRemoteOptions, type RemoteUserContextOptions } from './remote-options'
import { createRemoteKeySet } from './remote-key-set'
import { CODE } from '../../contract/error-codes'

export type { RemoteUserContextMode, RemoteUserContextOptions } from './remote-options'

/** The Hono env the middleware provides: `user` is never null behind `required`. */
export interface RemoteUserEnv<Required extends boolean = false> {
  Variables: { user: Required extends true ? UserContext : UserContext | null }
}

/**
 * Sets `c.var.user` from a verified access token. `required` answers 401 (the service's JSON
 * error and `WWW-Authenticate`) as an `HTTPException`, like Hono's own jwt middleware; `optional`
 * sets null when no token is presented. Options are checked here, at construction.
 * @example app.use('/api/*', userContext({ jwksUrl, issuer, audience, mode: 'required' }))
 */
export function remoteUserContext<M extends RemoteUserContextOptions['mode']>(
  options: RemoteUserContextOptions & { mode: M },
): MiddlewareHandler<RemoteUserEnv<M extends 'required' ? true : false>> {
  const { jwksUrl, audience, mode, cookieName, fetch } = parseRemoteOptions(options)
  const keys = createRemoteKeySet(jwksUrl, fetch)

  async function verify(token: string): Promise<UserContext | null> {
    if (!looksLikeJwt(token)) return null
    const verified = await verifyAccessTokenWith(keys, audience, token, Date.now())
    if (!verified.ok) return null
    const { sub, sid, anon, role, email } = verified.claims
    return { id: sub, email: email ?? null, isAnonymous: anon, role, sessionId: sid }
  }

  async function resolve(c: Context): Promise<UserContext | null> {
    const bearer = readBearerToken(c)
    // A presented bearer token that fails is an error in every mode, as at the service itself:
    // the client must refresh rather than be served as a stranger.
    if (bearer === null)
      throw unauthorized(
        CODE.invalid_token,
        'The Authorization header must be "Bearer <access token>".',
      )
    if (bearer !== undefined) {
      const user = await verify(bearer)
      if (!user) throw unauthorized(CODE.invalid_token, 'The access token is invalid or expired.')
      return user
    }
    const cookie = getCookie(c, cookieName)
    const user = cookie ? await verify(cookie) : null
    if (user || mode === 'optional') return user
    throw cookie
      ? unauthorized(CODE.invalid_token, 'The access token is invalid or expired.')
      : unauthorized(CODE.unauthenticated, 'This endpoint needs a session; none was presented.')
  }

  return async (c, next) => {
    try {
      // `resolve` never answers null in `required` mode, which is what the env type promises.
      c.set('user', (await resolve(c)) as UserContext)
    } catch (error) {
      throw toHttpException(error)
    }
    await next()
  }
}

/** The service's error shape as the `HTTPException` a Hono app already knows how to answer. */
function toHttpException(error: unknown): HTTPException {
  if (error instanceof KeySetUnavailableError) {
    // Not the caller's fault, and not a reason to send them to refresh: a 503 they may retry.
    console.error(
      JSON.stringify({ level: 'error', msg: error.message, cause: String(error.cause) }),
    )
    error = new AppError(
      503,
      CODE.keys_unavailable,
      'The signing keys could not be loaded; retry.',
      {
        'Retry-After': '5',
      },
    )
  }
  if (!(error instanceof AppError)) throw error
  const res = Response.json(errorBody(error.code, error.message), {
    status: error.status,
    headers: error.headers,
  })
  return new HTTPException(error.status, { res, message: error.message })
}
