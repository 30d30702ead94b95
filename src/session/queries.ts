/** Queries on the `sessions` index: D1's copy of each session for listing, limits and the sweep. */
import { and, desc, eq, gt, gte, isNull, sql, type Placeholder } from 'drizzle-orm'
import { preparedPerDb, type Db } from '../platform/db/client'
import { REVOKED_BEFORE } from '../platform/db/control'
import { control, sessions, users } from '../platform/db/schema'

export type SessionRow = typeof sessions.$inferSelect

/**
 * How far a row's `expires_at` and `last_seen_at` may trail its session object: the object brings
 * the row up to date at most this often, so an active session costs one D1 index write an hour
 * however often it refreshes (a tab refreshes every five minutes). "Last seen" in the session list
 * is therefore true to the hour, and everything that decides liveness from the index allows for
 * the lag, so no live session looks expired.
 */
export const SESSION_INDEX_LAG_MS = 60 * 60_000

/** Sessions the kill switch ended are not live, though nothing has touched their rows yet. */
const afterKillSwitch = gte(
  sessions.createdAt,
  sql`coalesce((select cast(${control.value} as integer) from ${control} where ${control.key} = ${REVOKED_BEFORE}), 0)`,
)

/** A session row that is live: not revoked, not expired, not older than the kill switch. */
export const isLive = (now: number) => isLiveAt(now, now - SESSION_INDEX_LAG_MS)

/** `isLive` with its instants as values or a prepared statement's placeholders. */
function isLiveAt(now: number | Placeholder, indexedAfter: number | Placeholder) {
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, indexedAfter),
    gt(sessions.absoluteExpiresAt, now),
    afterKillSwitch,
  )
}

/** Live sessions of one user, newest first. */
export function listLiveSessions(db: Db, userId: string, now: number): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isLive(now)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
}

/** One live session's index row, only if it belongs to `userId` (D1's view, which may lag). */
export function findLiveSessionRow(db: Db, userId: string, sessionId: string, now: number) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isLive(now)))
    .get()
}

/**
 * A user and, beside it, their live session `sessionId` (null when it is not live or not theirs),
 * in one statement; undefined when there is no such user. A session row never outlives its user
 * row (erasure deletes both), so no user means no session either.
 */
export function findUserWithLiveSession(db: Db, userId: string, sessionId: string, now: number) {
  const indexedAfter = now - SESSION_INDEX_LAG_MS
  return userWithSessionStatement(db).get({ userId, sessionId, now, indexedAfter })
}

/**
 * `GET /v1/me`'s one read, built once per handle rather than on every call (drizzle's query
 * building was a tenth of the route's CPU), and only the columns `toUser` and `toSession` show:
 * never the password hash.
 */
const userWithSessionStatement = preparedPerDb((db) => {
  const live = and(
    eq(sessions.id, sql.placeholder('sessionId')),
    eq(sessions.userId, users.id),
    isLiveAt(sql.placeholder('now'), sql.placeholder('indexedAfter')),
  )
  return db
    .select({
      user: {
        id: users.id,
        email: users.email,
        isAnonymous: users.isAnonymous,
        role: users.role,
        createdAt: users.createdAt,
      },
      session: {
        id: sessions.id,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        userAgent: sessions.userAgent,
        ip: sessions.ip,
      },
    })
    .from(users)
    .leftJoin(sessions, live)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare()
})

/** Records activity: the session's last-seen time and expiry, and its user's last-seen time. */
export async function touchSession(
  db: Db,
  session: { id: string; userId: string; expiresAt: number },
  now: number,
): Promise<void> {
  await db.batch([
    db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: session.expiresAt })
      .where(eq(sessions.id, session.id)),
    db.update(users).set({ lastSeenAt: now }).where(eq(users.id, session.userId)),
  ])
}

export async function markSessionRevoked(db: Db, sessionId: string, now: number): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
}
