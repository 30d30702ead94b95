/**
 * D1's half of materialising an issued session: the anonymous user's row, then the session's
 * index row and `session.created` event (see `writeSessionStart`), in one batch. The session
 * object runs it under its lock, before it stores its own record; an object evicted between the
 * two runs it again, so the user's row too is inserted only if absent.
 */
import type { Db } from '../platform/db/client'
import { users } from '../platform/db/schema'
import type { RequestMeta } from '../platform/shared-types'
import { writeSessionStart } from './session-start'

export interface MaterialisedSession {
  sessionId: string
  userId: string
  /** The session's (and its user's) creation: when it was issued, not when it came back. */
  issuedAt: number
  now: number
  expiresAt: number
  absoluteExpiresAt: number
}

export async function writeMaterialisedSession(
  db: Db,
  session: MaterialisedSession,
  meta: RequestMeta,
): Promise<void> {
  const { sessionId, userId, issuedAt, now } = session
  const userRow = db
    .insert(users)
    .values({ id: userId, isAnonymous: true, role: 'user', createdAt: issuedAt, lastSeenAt: now })
    .onConflictDoNothing()
  await writeSessionStart(
    db,
    {
      sessionId,
      userId,
      createdAt: issuedAt,
      now,
      expiresAt: session.expiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      detail: { anonymous: true, issuedAt },
    },
    meta,
    userRow,
  )
}
