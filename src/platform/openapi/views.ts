/**
 * The contract's user and session answers built from what D1 or a session's object holds. Apart
 * from schemas.ts (types only) so that code which answers with them, such as the session object
 * and RPC, does not build every route schema when its isolate starts.
 */
import type { z } from '@hono/zod-openapi'
import type { SessionView } from '../shared-types'
import type { SessionSchema, UserSchema } from './schemas'

const iso = (ms: number) => new Date(ms).toISOString()

/** A user as stored (D1 row) or as its session knows it; times in ms. */
export interface UserFields {
  id: string
  email: string | null
  isAnonymous: boolean
  role: string
  createdAt: number
}

/** A session as the D1 index or its Durable Object knows it; `expiresAt` is the effective expiry. */
export interface SessionFields {
  id: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  userAgent: string | null
  ip: string | null
}

export function toUser(user: UserFields): z.infer<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    isAnonymous: user.isAnonymous,
    role: user.role,
    createdAt: iso(user.createdAt),
  }
}

export function toSession(
  session: SessionFields,
  currentSessionId: string | null,
): z.infer<typeof SessionSchema> {
  return {
    id: session.id,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(session.expiresAt),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  }
}

/** `{user, session}` straight from a session just created or rotated, with no D1 read. */
export function toUserSession(view: SessionView) {
  return {
    user: toUser({
      id: view.userId,
      email: view.email,
      isAnonymous: view.isAnonymous,
      role: view.role,
      createdAt: view.userCreatedAt,
    }),
    session: toSession({ ...view, id: view.sessionId }, view.sessionId),
  }
}
