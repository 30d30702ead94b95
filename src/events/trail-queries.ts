/** Reading one user's audit trail (writes are in audit-events.ts). */
import { desc, eq } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { auditEvents } from '../platform/db/schema'

/** A user's latest audit events, newest first; the `audit_events_user_at` index serves it. */
export function listUserEvents(db: Db, userId: string, limit: number) {
  return db
    .select({
      type: auditEvents.type,
      at: auditEvents.at,
      sessionId: auditEvents.sessionId,
      ip: auditEvents.ip,
      userAgent: auditEvents.userAgent,
      detail: auditEvents.detail,
    })
    .from(auditEvents)
    .where(eq(auditEvents.userId, userId))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit)
    .all()
}
