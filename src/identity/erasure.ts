/**
 * Erasing users everywhere: every D1 row they own and their session objects, and a `user.erased`
 * event each (written to the outbox in the same transaction) so other Workers erase theirs. Used by
 * the sweep for abandoned anonymous users and by `DELETE /v1/admin/users/{id}`.
 */
import { and, gt, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import {
  auditEvents,
  documents,
  identities,
  imports,
  loginAttempts,
  magicLinks,
  merges,
  oauthRecords,
  outbox,
  passkeys,
  recoveryCodes,
  secondFactors,
  preferences,
  secrets,
  sessions,
  users,
} from '../platform/db/schema'
import { SESSION_INDEX_LAG_MS, sessionStub } from '../session'
import type { Runtime } from '../platform/runtime'
import { deliverEvents, eventsOutboxQueries, pendingEvents } from '../events'

/** D1 allows 100 bound parameters a statement; leave room for the rest of the statement. */
export const IDS_PER_STATEMENT = 90

/**
 * Deletes the users' rows in one transaction per chunk, then ends their session objects (all of
 * their storage). A user's rows include the anonymous identities merged into it (tombstones, and
 * anything an old token of theirs still wrote), and everything that names their email or their
 * sessions: sign-in links, login counters, dev mail, audit events.
 */
export interface EraseOptions {
  /**
   * Which session objects to end: `all` (an admin's erase: every object, whatever its state, is
   * emptied at once) or `maybe-live` (the sweep: only sessions whose row is neither revoked nor
   * expired beyond the index's lag; the others' objects were revoked first or have expired, and
   * their alarms empty them). Waking thousands of dead objects is what made sweeps overrun.
   */
  objects: 'all' | 'maybe-live'
  now?: number
}

export async function eraseUsers(
  rt: Runtime,
  requested: readonly string[],
  { objects, now = Date.now() }: EraseOptions = { objects: 'all' },
): Promise<{ users: number; sessions: number }> {
  const userIds = [...requested, ...(await listMergedIdentities(rt.db, requested))]
  let sessionCount = 0
  for (let i = 0; i < userIds.length; i += IDS_PER_STATEMENT) {
    const ids = userIds.slice(i, i + IDS_PER_STATEMENT)
    const sessionIds = await listSessionIds(rt.db, ids, objects === 'maybe-live' ? now : null)
    // Subqueries, not lists: a chunk's sessions and emails could pass D1's 100 parameters.
    const theirSessions = rt.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(inArray(sessions.userId, ids))
    const theirEmails = rt.db
      .select({ email: users.email })
      .from(users)
      .where(inArray(users.id, ids))
    // In the outbox with the deletions: the erase and its events commit, or neither does.
    const events = pendingEvents(
      rt.events,
      ids.map((userId) => ({ type: 'user.erased', userId, at: new Date().toISOString() })),
      Date.now(),
    )
    await rt.db.batch([
      // One statement each: every subquery binds the chunk's ids once, within D1's 100.
      rt.db.delete(magicLinks).where(inArray(magicLinks.email, theirEmails)),
      rt.db.delete(magicLinks).where(inArray(magicLinks.requestedBySessionId, theirSessions)),
      rt.db.delete(magicLinks).where(inArray(magicLinks.consumedBySessionId, theirSessions)),
      rt.db.delete(loginAttempts).where(inArray(loginAttempts.email, theirEmails)),
      rt.db.delete(outbox).where(inArray(outbox.to, theirEmails)),
      rt.db.delete(auditEvents).where(inArray(auditEvents.sessionId, theirSessions)),
      rt.db.delete(merges).where(inArray(merges.fromUserId, ids)),
      rt.db.delete(preferences).where(inArray(preferences.userId, ids)),
      rt.db.delete(secrets).where(inArray(secrets.userId, ids)),
      rt.db.delete(oauthRecords).where(inArray(oauthRecords.userId, ids)),
      rt.db.delete(documents).where(inArray(documents.userId, ids)),
      rt.db.delete(passkeys).where(inArray(passkeys.userId, ids)),
      rt.db.delete(identities).where(inArray(identities.userId, ids)),
      rt.db.delete(secondFactors).where(inArray(secondFactors.userId, ids)),
      rt.db.delete(recoveryCodes).where(inArray(recoveryCodes.userId, ids)),
      rt.db.delete(auditEvents).where(inArray(auditEvents.userId, ids)),
      rt.db.delete(imports).where(inArray(imports.userId, ids)),
      rt.db.delete(merges).where(inArray(merges.intoUserId, ids)),
      rt.db.delete(sessions).where(inArray(sessions.userId, ids)),
      rt.db.delete(users).where(inArray(users.id, ids)),
      ...eventsOutboxQueries(rt.db, events),
    ])
    // After the rows: a session object that outlived its index row would still expire by alarm,
    // while the reverse (rows without an object) could not be found to clean up.
    await Promise.all(sessionIds.map((id) => sessionStub(rt, id).revoke()))
    // After the commit; a failed publish leaves the rows for the sweep.
    await deliverEvents(rt.db, rt.events, events)
    sessionCount += sessionIds.length
  }
  return { users: userIds.length, sessions: sessionCount }
}

/** The anonymous users merged into any of `userIds` (their tombstones), chunk by chunk. */
async function listMergedIdentities(db: Db, userIds: readonly string[]): Promise<string[]> {
  const found: string[] = []
  for (let i = 0; i < userIds.length; i += IDS_PER_STATEMENT) {
    const rows = await db
      .select({ id: users.id })
      .from(users)
      .where(inArray(users.mergedInto, userIds.slice(i, i + IDS_PER_STATEMENT)))
    found.push(...rows.map((row) => row.id))
  }
  return found
}

/** The users' session ids; with `liveAt`, only those whose row may still be live then. */
async function listSessionIds(db: Db, userIds: string[], liveAt: number | null): Promise<string[]> {
  const theirs = inArray(sessions.userId, userIds)
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      liveAt === null
        ? theirs
        : and(
            theirs,
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, liveAt - SESSION_INDEX_LAG_MS),
          ),
    )
  return rows.map((row) => row.id)
}
