/**
 * The user-context middleware: resolves who is calling into one `UserContext` shape, in one of
 * three modes. Credentials, in order: `Authorization: Bearer`, the access cookie, the session cookie
 * (transparent refresh). `anonymous-ok` creates an anonymous session when none is presented;
 * `fresh` asks the session's Durable Object instead of trusting the JWT alone.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { IssuedSession, RequestMeta, SessionView, UserContext } from '../platform/shared-types'
import type { AppEnv } from '../http/app-env'
import { pinReadsToPrimary } from '../http/read-replicas'
import { requestMeta } from '../http/request-meta'
import type { Runtime } from '../platform/runtime'
import { sessionStub } from './object/stub'
import { createAnonymousSession, refreshSession } from './lifecycle'
import { AppError, tokenSuperseded, unauthorized } from '../platform/errors'
import {
  verifyAccessToken,
  type AccessClaims,
  type VerifyResult,
} from '../platform/tokens/access-token'
import { readRevokedBefore } from '../platform/db/control'
import { findUser } from '../platform/db/users'
import {
  clearSessionCookies,
  deliverSession,
  readBearerToken,
  readCredentialCookies,
} from '../http/transport'
import { CODE } from '../contract/error-codes'

export type { UserContext } from '../platform/shared-types'

/**
 * Whether a refresh from the session cookie that failed ends the browser's session (its cookies
 * are cleared): every failure but a tab that raced a sign-in in this browser, whose jar already
 * holds the new cookies, so clearing them would undo the sign-in.
 */
export const endsCookieSession = (error: unknown): boolean =>
  !(error instanceof AppError && error.code === CODE.refresh_token_superseded)

export type UserContextMode = 'optional' | 'anonymous-ok' | 'required'

export interface UserContextOptions {
  mode: UserContextMode
  /** Check with the session's Durable Object that the session is still live. */
  fresh?: boolean
}

/** Sets `c.var.user`. @example app.get('/v1/me', userContext({ mode: 'anonymous-ok' }), handler) */
export function userContext(options: UserContextOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', await resolveUser(c, options))
    await next()
  }
}

async function resolveUser(
  c: Context<AppEnv>,
  { mode, fresh = false }: UserContextOptions,
): Promise<UserContext | null> {
  // A write must land under the user the session belongs to now: a JWT from before a merge still
  // verifies for its five minutes, and what it wrote under the old id would vanish.
  const confirm = (claims: AccessClaims) => {
    // An issued session's reads answer from its token; they need to know when it was issued.
    c.set('tokenIssuedAt', claims.iatMs)
    return fresh
      ? confirmLive(c, claims)
      : WRITES.test(c.req.method)
        ? confirmWriter(c, claims)
        : fromClaims(claims)
  }
  const bearer = readBearerToken(c)
  if (bearer !== undefined) {
    if (bearer === null)
      throw unauthorized(
        CODE.invalid_token,
        'The Authorization header must be "Bearer <access token>".',
      )
    return confirm(await verifiedClaims(c, bearer))
  }

  const cookies = readCredentialCookies(c)
  if (cookies.access) {
    const verified = await verifyToken(c, cookies.access)
    if (verified.ok) return confirm(verified.claims)
  }
  if (cookies.session) {
    // The refresh may materialise the session, which the client's read bookmark predates.
    pinReadsToPrimary(c)
    try {
      return fromIssued(c, await refreshSession(c.var.rt, cookies.session, requestMeta(c)))
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 401) throw error
      // Starting a new anonymous session after a sign-in raced this tab would undo it too.
      if (!endsCookieSession(error)) throw error
      clearSessionCookies(c)
      if (mode === 'required') throw error
    }
  }
  if (mode === 'anonymous-ok')
    return fromIssued(c, await createAnonymousSession(c.var.rt, requestMeta(c)))
  if (mode === 'required')
    throw unauthorized(CODE.unauthenticated, 'This endpoint needs a session; none was presented.')
  return null
}

/** `verifyAccessTokenAtEdge` with the request's runtime. */
function verifyToken(c: Context<AppEnv>, token: string): Promise<VerifyResult> {
  return verifyAccessTokenAtEdge(c.var.rt, token)
}

/** The claims of a presented access token; 401 `invalid_token` when it does not verify. */
export async function verifiedClaims(c: Context<AppEnv>, token: string): Promise<AccessClaims> {
  const verified = await verifyToken(c, token)
  if (!verified.ok)
    throw unauthorized(CODE.invalid_token, 'The access token is invalid or expired.')
  return verified.claims
}

/**
 * Verifies an access token with this isolate's cached keys and kill switch: no I/O once warm.
 * A token issued before the kill switch is refused once the isolate's copy renews (30 s at most).
 */
export async function verifyAccessTokenAtEdge(rt: Runtime, token: string): Promise<VerifyResult> {
  const [keys, revokedBefore] = await Promise.all([rt.keys.get(), rt.killSwitch.get()])
  const audience = { issuer: rt.settings.ISSUER, audience: rt.settings.AUDIENCE }
  const verified = await verifyAccessToken(keys, audience, token, Date.now())
  // Both in ms: a token issued in the switch's own second but after it stays good.
  if (verified.ok && verified.claims.iatMs < revokedBefore) {
    return { ok: false, reason: 'invalid' }
  }
  return verified
}

function fromClaims(claims: AccessClaims): UserContext {
  return {
    id: claims.sub,
    email: claims.email ?? null,
    isAnonymous: claims.anon,
    role: claims.role,
    sessionId: claims.sid,
  }
}

function fromIssued(c: Context<AppEnv>, issued: IssuedSession): UserContext {
  deliverSession(c, issued)
  return fromView(issued.view)
}

/** The context from the session object's own view: current even when the JWT is not. */
function fromView(view: SessionView): UserContext {
  return {
    id: view.userId,
    email: view.email,
    isAnonymous: view.isAnonymous,
    role: view.role,
    sessionId: view.sessionId,
  }
}

/**
 * The `fresh` check, for the middleware and RPC alike, asked of the session's object rather than
 * D1's index: the token's session as its object sees it now, or null when it is over or no longer
 * belongs to the token's subject (merged, revoked).
 * An anonymous token's session may be only issued: its object answers from the token, or, given
 * `materialiseFrom` (a write is coming), materialises it first.
 */
export async function checkSessionIsLive(
  rt: Runtime,
  claims: Pick<AccessClaims, 'sub' | 'sid'> & Partial<Pick<AccessClaims, 'anon' | 'iatMs'>>,
  materialiseFrom: RequestMeta | null = null,
): Promise<SessionView | null> {
  const stub = sessionStub(rt, claims.sid)
  const now = Date.now()
  const session =
    claims.anon && claims.iatMs !== undefined
      ? stub.resolve(claims.sid, {
          now,
          subject: { userId: claims.sub, issuedAt: claims.iatMs },
          materialiseFrom,
          idleTtlSeconds: rt.settings.SESSION_IDLE_TTL,
        })
      : stub.status(now)
  // Fresh means fresh: the kill switch is read from D1 here, not from the isolate's copy.
  const [live, revokedBefore] = await Promise.all([session, readRevokedBefore(rt.db)])
  if (!live || live.userId !== claims.sub || live.createdAt < revokedBefore) return null
  return live
}

async function confirmLive(c: Context<AppEnv>, claims: AccessClaims): Promise<UserContext> {
  // Fresh means the primary: the kill switch, and whatever the route decides after this check.
  pinReadsToPrimary(c)
  const live = await checkSessionIsLive(c.var.rt, claims)
  if (!live) throw unauthorized(CODE.session_revoked, 'The session is no longer active.')
  return fromView(live)
}

const WRITES = /^(POST|PUT|PATCH|DELETE)$/

/**
 * The writer's check: the session must be live and still belong to the token's subject. A
 * subject that was merged into an account, or erased, is `token_superseded`: the client refreshes
 * and lands under the account (or starts afresh); a session that merely ended is `session_revoked`.
 */
async function confirmWriter(c: Context<AppEnv>, claims: AccessClaims): Promise<UserContext> {
  const { rt } = c.var
  // A write materialises an issued session: its user row must exist before the data does.
  const live = await checkSessionIsLive(rt, claims, requestMeta(c))
  if (live) return fromView(live)
  const user = await findUser(rt.db, claims.sub)
  if (!user || user.mergedInto) throw tokenSuperseded()
  throw unauthorized(CODE.session_revoked)
}

/** The context set by `userContext` in `required` mode; throws if the middleware was not mounted. */
export function requireUser(c: Context<AppEnv>): UserContext {
  const user = c.var.user
  if (!user)
    throw unauthorized(CODE.unauthenticated, 'This endpoint needs a session; none was presented.')
  return user
}
