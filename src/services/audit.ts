/**
 * Audit events: who did what, from which session, IP, user agent and country. Never a token,
 * secret or password: `detail` carries only ids, counts and reasons.
 */
import type { Db } from '../db/client'
import { insertAuditEventsQuery } from '../db/audit-events'
import type { RequestMeta } from '../shapes'

export type AuditEventType =
  | 'session.created'
  | 'session.revoked'
  | 'session.reuse_detected'
  | 'auth.logout'
  | 'auth.logout_all'
  | 'auth.registered'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.merged'
  | 'auth.mailbox_proven'
  | 'auth.email_verified'
  | 'auth.password_changed'
  | 'magic_link.sent'
  | 'magic_link.verified'
  | 'rate_limit.hit'
  | 'admin.kill_switch'
  | 'admin.keys_rotated'
  | 'admin.user_erased'
  | 'admin.import'
  | 'admin.role_set'
  | 'admin.sessions_revoked'

export interface AuditEvent {
  type: AuditEventType
  userId: string | null
  sessionId: string | null
  detail?: Record<string, unknown>
}

/** The insert for one event, for callers that put it in a batch with other writes. */
export function auditEventQuery(db: Db, event: AuditEvent, meta: RequestMeta, now: number) {
  return insertAuditEventsQuery(db, [
    {
      type: event.type,
      userId: event.userId,
      sessionId: event.sessionId,
      at: now,
      ip: meta.ip,
      userAgent: meta.userAgent,
      country: meta.country,
      detail: event.detail ?? {},
    },
  ])
}

export async function recordAuditEvent(
  db: Db,
  event: AuditEvent,
  meta: RequestMeta,
  now: number,
): Promise<void> {
  await auditEventQuery(db, event, meta, now)
}
