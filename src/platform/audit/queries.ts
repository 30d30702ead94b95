/** Queries on `audit_events`. */
import type { Db } from '../db/client'
import { auditEvents } from '../db/schema'

export type AuditEventInsert = typeof auditEvents.$inferInsert

export function insertAuditEventsQuery(db: Db, rows: AuditEventInsert[]) {
  return db.insert(auditEvents).values(rows)
}
