/**
 * D1's half of materialising an issued session: the anonymous user's row, the session's index
 * row and the `session.created` event, in one batch. The session object runs it under its lock,
 * before it stores its own record; an object evicted between the two runs it again, so every
 * statement is idempotent: the rows are inserted only if absent, and the event only when the
 * session row did not exist yet (checked before it is inserted, in the same transaction).
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { auditEvents, sessions, users } from '../platform/db/schema'
import type { RequestMeta } from '../platform/shared-types'

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
  const detail = JSON.stringify({ anonymous: true, issuedAt })
  await db.batch([
    db
      .insert(users)
      .values({ id: userId, isAnonymous: true, role: 'user', createdAt: issuedAt, lastSeenAt: now })
      .onConflictDoNothing(),
    // Every column in the table's order (drizzle's insert-select); a null id is the next rowid.
    db.insert(auditEvents).select(
      sql`select null, ${userId}, ${sessionId}, 'session.created', ${now}, ${meta.ip}, ${meta.userAgent}, ${meta.country}, ${detail}
        where not exists (select 1 from ${sessions} where ${sessions.id} = ${sessionId})`,
    ),
    db
      .insert(sessions)
      .values({
        id: sessionId,
        userId,
        createdAt: issuedAt,
        lastSeenAt: now,
        expiresAt: session.expiresAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
        userAgent: meta.userAgent,
        ip: meta.ip,
      })
      .onConflictDoNothing(),
  ])
}
