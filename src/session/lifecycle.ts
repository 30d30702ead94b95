/**
 * Session lifecycle shared by routes and middleware: start, refresh (rotation), revoke, list.
 * The session's Durable Object is the authority on its token; D1's `sessions` row follows it for
 * listing and the sweep.
 */
import type { BatchItem } from 'drizzle-orm/batch'
import type { CreateSessionInput } from './object/api'
import { writeSessionStart } from './session-start'
import { signAccessToken } from '../platform/tokens/access-token'
import { formatRefreshToken, parseRefreshToken } from '../platform/tokens/refresh-token'
import { readRevokedBefore } from '../platform/db/control'
import {
  findLiveSessionRow,
  findUserWithLiveSession,
  listLiveSessions,
  markSessionRevoked,
  touchSession,
  type SessionRow,
} from './queries'
import { findUser } from '../platform/db/users'
import { isIssuedSecret, mintIssuedSecret } from '../platform/tokens/issued-refresh'
import { issuedLifetimeMs, issuedView } from './record'
import { toSession, toUser, toUserSession } from '../platform/openapi/views'
import { notFound, unauthorized, unreachable } from '../platform/errors'
import { createId } from '../platform/ids'
import type {
  IssuedSession,
  RequestMeta,
  SessionSubject,
  SessionView,
} from '../platform/shared-types'
import type { Runtime } from '../platform/runtime'
import { sessionStub } from './object/stub'
import { auditEventQuery, recordAuditEvent } from '../platform/audit/audit-log'
import { CODE } from '../contract/error-codes'

export async function issue(
  rt: Runtime,
  view: SessionView,
  secret: string,
  now: number,
): Promise<IssuedSession> {
  const keys = await rt.keys.get()
  const accessToken = await signAccessToken(
    keys,
    { issuer: rt.settings.ISSUER, audience: rt.settings.AUDIENCE },
    {
      userId: view.userId,
      sessionId: view.sessionId,
      isAnonymous: view.isAnonymous,
      role: view.role,
      email: view.email,
      now,
      ttlSeconds: rt.settings.ACCESS_TTL,
    },
  )
  return {
    view,
    accessToken,
    refreshToken: formatRefreshToken(view.sessionId, secret),
    expiresIn: rt.settings.ACCESS_TTL,
  }
}

/**
 * Issues an anonymous user with its first session: the automatic session on app load. Nothing is
 * stored (no D1 statement, no session object): the session exists in its tokens until it comes
 * back, when its object materialises it (see SessionDO.materialise). Counted in Analytics Engine.
 */
export async function createAnonymousSession(
  rt: Runtime,
  meta: RequestMeta,
): Promise<IssuedSession> {
  await rt.limits.anonymousPerIp(meta.ip ?? 'unknown')
  // The access token's `iat_ms` carries this instant, so the object can rebuild the first secret.
  const now = Date.now()
  const sessionId = createId('sess')
  const subject = { userId: createId('anon'), issuedAt: now }
  const { SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL } = rt.settings
  const view = issuedView(
    sessionId,
    subject,
    issuedLifetimeMs(SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL),
    meta,
  )
  const secret = await mintIssuedSecret(rt.issuedKeys[0]!, sessionId, subject)
  rt.analytics.count('session.issued')
  return issue(rt, view, secret, now)
}

export interface StartSessionOptions {
  /** The id to use, when the caller had to name the session before it existed. */
  sessionId?: string
  /** A brand-new user's row, written in the same batch as the session's. */
  newUser?: BatchItem<'sqlite'>
  /** The sign-in link that started this session (see `SessionDO.create`). */
  rememberLink?: CreateSessionInput['rememberLink']
}

/**
 * Starts a session for `subject`. D1 (the index row, the audit event and, for a brand-new user,
 * `newUser`) and the Durable Object are written at once: if either fails the request fails, and
 * the other half is unreachable (nobody holds its token) until the sweep or the alarm removes it.
 */
export async function startSession(
  rt: Runtime,
  subject: SessionSubject,
  meta: RequestMeta,
  now: number,
  { sessionId = createId('sess'), newUser, rememberLink }: StartSessionOptions = {},
): Promise<IssuedSession> {
  const { settings } = rt
  const [, { secret, session }] = await Promise.all([
    writeSessionStart(
      rt.db,
      {
        sessionId,
        userId: subject.userId,
        createdAt: now,
        now,
        expiresAt: now + Math.min(settings.SESSION_IDLE_TTL, settings.SESSION_ABSOLUTE_TTL) * 1000,
        absoluteExpiresAt: now + settings.SESSION_ABSOLUTE_TTL * 1000,
        detail: { anonymous: subject.isAnonymous },
      },
      meta,
      newUser,
    ),
    sessionStub(rt, sessionId).create({
      ...subject,
      sessionId,
      now,
      idleTtlSeconds: settings.SESSION_IDLE_TTL,
      absoluteTtlSeconds: settings.SESSION_ABSOLUTE_TTL,
      userAgent: meta.userAgent,
      ip: meta.ip,
      // Every account session starts from a credential; an anonymous one proves nothing.
      authenticated: !subject.isAnonymous,
      ...(rememberLink ? { rememberLink } : {}),
    }),
  ])
  // A brand-new user has no other session to evict.
  if (!newUser) await enforceSessionLimit(rt, subject.userId, meta, now)
  return issue(rt, session, secret, now)
}

/**
 * Keeps a user at MAX_SESSIONS_PER_USER live sessions: beyond that the oldest are revoked (and
 * audited), so a new sign-in always succeeds and a forgotten device is the one that goes.
 */
export async function enforceSessionLimit(
  rt: Runtime,
  userId: string,
  meta: RequestMeta,
  now: number,
): Promise<number> {
  const live = await listLiveSessions(rt.db, userId, now)
  const evicted = live.slice(rt.settings.MAX_SESSIONS_PER_USER)
  await Promise.all(evicted.map((row) => revokeSessionById(rt, row.id, now)))
  if (evicted.length) {
    await rt.db.batch(
      evicted.map((row) =>
        auditEventQuery(
          rt.db,
          {
            type: 'session.revoked',
            userId,
            sessionId: row.id,
            detail: { reason: 'session_limit' },
          },
          meta,
          now,
        ),
      ) as [ReturnType<typeof auditEventQuery>, ...ReturnType<typeof auditEventQuery>[]],
    )
  }
  return evicted.length
}

/**
 * Rotates a refresh token (RFC 9700 §4.14.2). Throws 401 `invalid_refresh_token` for a token that
 * does not open a live session and 401 `refresh_token_reused` when reuse revoked the session.
 */
export async function refreshSession(
  rt: Runtime,
  refreshToken: string,
  meta: RequestMeta,
): Promise<IssuedSession> {
  const parts = parseRefreshToken(refreshToken)
  if (!parts) throw unauthorized(CODE.invalid_refresh_token, 'The refresh token is not valid.')
  await Promise.all([
    rt.limits.refreshPerSession(parts.sessionId),
    rt.limits.refreshPerIp(meta.ip ?? 'unknown'),
  ])
  const now = Date.now()
  const stub = sessionStub(rt, parts.sessionId)
  // The kill switch is read fresh on every refresh, alongside the rotation rather than before it.
  const [revokedBefore, result] = await Promise.all([
    readRevokedBefore(rt.db),
    stub.refresh(parts.secret, {
      sessionId: parts.sessionId,
      now,
      idleTtlSeconds: rt.settings.SESSION_IDLE_TTL,
      reuseGraceSeconds: rt.settings.REFRESH_REUSE_GRACE,
      // Only a first secret can materialise a session, whose row records where it came from;
      // copying the origin for every other refresh would read `request.cf` for nothing.
      ...(isIssuedSecret(parts.secret) ? { origin: meta } : {}),
    }),
  ])
  if (!result.ok) {
    switch (result.reason) {
      case 'unknown':
        throw unauthorized(CODE.invalid_refresh_token, 'The refresh token is not valid.')
      case 'superseded':
        throw unauthorized(
          CODE.refresh_token_superseded,
          'This session has signed in since this token was issued; use the new credentials.',
        )
      case 'stale':
        throw unauthorized(
          CODE.invalid_refresh_token,
          'This session has signed in since this token was issued; start again.',
        )
      case 'reused':
        await markSessionRevoked(rt.db, parts.sessionId, now)
        await recordAuditEvent(
          rt.db,
          { type: 'session.reuse_detected', userId: result.userId, sessionId: parts.sessionId },
          meta,
          now,
        )
        throw unauthorized(
          CODE.refresh_token_reused,
          'This refresh token was already used; the session has been revoked.',
        )
      case 'expired':
        await markSessionRevoked(rt.db, parts.sessionId, now)
        throw unauthorized(CODE.invalid_refresh_token, 'The session has expired or was revoked.')
      default:
        return unreachable(result.reason)
    }
  }
  if (result.session.createdAt < revokedBefore) {
    await revokeSessionById(rt, parts.sessionId, now)
    throw unauthorized(CODE.invalid_refresh_token, 'The session was revoked by an administrator.')
  }
  const [issued] = await Promise.all([
    issue(rt, result.session, result.secret, now),
    result.touchIndex
      ? touchSession(
          rt.db,
          {
            id: parts.sessionId,
            userId: result.session.userId,
            expiresAt: result.session.expiresAt,
          },
          now,
        )
      : undefined,
  ])
  return issued
}

export type RevokeReason = 'revoked' | 'logout'

/** Revokes one session of `userId`; 404 when it is not theirs or not live. */
export async function revokeSession(
  rt: Runtime,
  userId: string,
  sessionId: string,
  reason: RevokeReason,
  meta: RequestMeta,
): Promise<void> {
  const now = Date.now()
  const row = await findLiveSessionRow(rt.db, userId, sessionId, now)
  if (!row) throw notFound('The session')
  await revokeSessionById(rt, row.id, now)
  const type = reason === 'logout' ? 'auth.logout' : 'session.revoked'
  await recordAuditEvent(rt.db, { type, userId, sessionId }, meta, now)
}

/** Ends every live session of `userId` but `except`; returns how many ended. */
export async function endSessionsOf(
  rt: Runtime,
  userId: string,
  now: number,
  except: string | null = null,
): Promise<number> {
  const rows = (await listLiveSessions(rt.db, userId, now)).filter((row) => row.id !== except)
  await Promise.all(rows.map((row) => revokeSessionById(rt, row.id, now)))
  return rows.length
}

/** Ends a session in its Durable Object and in the D1 index. */
export async function revokeSessionById(
  rt: Runtime,
  sessionId: string,
  now: number,
): Promise<void> {
  await sessionStub(rt, sessionId).revoke()
  await markSessionRevoked(rt.db, sessionId, now)
}

export function listSessions(rt: Runtime, userId: string): Promise<SessionRow[]> {
  return listLiveSessions(rt.db, userId, Date.now())
}

/**
 * The caller's live sessions as listed rows: an issued session (no rows yet, no user row) lists
 * itself, as a new user's one session would.
 */
export async function listCallerSessions(rt: Runtime, caller: Caller): Promise<SessionRow[]> {
  const rows = await listSessions(rt, caller.id)
  const issued = rows.length ? null : issuedSessionOf(rt, caller)
  if (!issued || (await findUser(rt.db, caller.id))) return rows
  return [{ ...issued, id: issued.sessionId, absoluteExpiresAt: issued.expiresAt, revokedAt: null }]
}

/** The caller as an access token names it: enough to recognise an issued session. */
export interface Caller {
  id: string
  sessionId: string
  isAnonymous: boolean
  /** The access token's issue time (ms), when the caller came from one. */
  issuedAt?: number | undefined
}

/**
 * `{user, session}` for a verified context, read from D1 in one statement; 401 once the session
 * has ended. An anonymous caller with no user row is an issued session, answered from its token
 * as a brand-new user, with no I/O beyond that read: its object is not even woken (it stores
 * nothing). Ended sessions have rows (a logout materialises first); the kill switch refused the
 * token at the edge. One token outlives its rows: an erased user's, for the rest of its five
 * minutes it reads as a new user here, with nothing to read (writes ask the object, which
 * refuses).
 */
export async function describeSession(rt: Runtime, caller: Caller) {
  const now = Date.now()
  const found = await findUserWithLiveSession(rt.db, caller.id, caller.sessionId, now)
  if (found?.session)
    return { user: toUser(found.user), session: toSession(found.session, caller.sessionId) }
  const issued = found ? null : issuedSessionOf(rt, caller, now)
  if (!issued) throw unauthorized(CODE.session_revoked)
  return toUserSession(issued)
}

/** The session an anonymous access token describes, if it may be only issued still; no I/O. */
export function issuedSessionOf(rt: Runtime, caller: Caller, now = Date.now()): SessionView | null {
  if (!caller.isAnonymous || caller.issuedAt === undefined) return null
  const { SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL } = rt.settings
  const lifetime = issuedLifetimeMs(SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL)
  if (now >= caller.issuedAt + lifetime) return null
  return issuedView(caller.sessionId, { userId: caller.id, issuedAt: caller.issuedAt }, lifetime)
}
