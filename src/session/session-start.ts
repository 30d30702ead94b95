/**
 * D1's half of a session starting: its index row and its `session.created` audit event, with the
 * user's row when the user is new too, in one batch. Both ways a session begins write through
 * here: a sign-in's new session (`startSession`) and an issued session materialising in its
 * object. The object may run its batch twice (evicted between the batch and its own record), so
 * every statement is idempotent: the session row is inserted only if absent, and the event only
 * when the session row did not exist yet (checked before it is inserted, in the same transaction).
 */
import { eq, notExists, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../platform/db/client'
import { auditEvents, sessions } from '../platform/db/schema'
import type { RequestMeta } from '../platform/shared-types'

export interface SessionStart {
  sessionId: string
  userId: string
  /** When the session began: for an issued session, when it was issued, not when it came back. */
  createdAt: number
  now: number
  expiresAt: number
  absoluteExpiresAt: number
  /** What the `session.created` event says beyond the ids. */
  detail: { anonymous: boolean; issuedAt?: number }
}

export async function writeSessionStart(
  db: Db,
  start: SessionStart,
  meta: RequestMeta,
  userRow?: BatchItem<'sqlite'>,
): Promise<void> {
  const event = sessionCreatedEvent(db, start, meta)
  const session = db
    .insert(sessions)
    .values({
      id: start.sessionId,
      userId: start.userId,
      createdAt: start.createdAt,
      lastSeenAt: start.now,
      expiresAt: start.expiresAt,
      absoluteExpiresAt: start.absoluteExpiresAt,
      userAgent: meta.userAgent,
      ip: meta.ip,
    })
    .onConflictDoNothing()
  // The event first: it checks that the session row is not there yet.
  await db.batch(userRow ? [userRow, event, session] : [event, session])
}

/**
 * The event, only while the session has no row: an insert-select whose fields drizzle checks
 * against the table's columns, name by name and in order.
 */
function sessionCreatedEvent(db: Db, start: SessionStart, meta: RequestMeta) {
  const noRowYet = notExists(
    db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, start.sessionId)),
  )
  return db.insert(auditEvents).select((qb) =>
    qb
      .select({
        // A null id is the next rowid.
        id: sql<number>`null`.as('id'),
        userId: sql<string>`${start.userId}`.as('user_id'),
        sessionId: sql<string>`${start.sessionId}`.as('session_id'),
        type: sql<string>`'session.created'`.as('type'),
        at: sql<number>`${start.now}`.as('at'),
        ip: sql<string | null>`${meta.ip}`.as('ip'),
        userAgent: sql<string | null>`${meta.userAgent}`.as('user_agent'),
        country: sql<string | null>`${meta.country}`.as('country'),
        detail: sql<string>`${JSON.stringify(start.detail)}`.as('detail'),
      })
      .from(sql`(select 1)`)
      .where(noRowYet),
  )
}
