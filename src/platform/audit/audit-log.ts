/// <reference path="../node-async-hooks.d.ts" />
/**
 * Audit events: who did what, from which session, IP, user agent and country. Never a token,
 * secret or password: `detail` carries only ids, counts and reasons.
 *
 * Within a request (see `AuditLog`) the events an operation records are collected and written
 * together once the handler is done, in one D1 write, instead of one write each.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db } from '../db/client'
import { insertAuditEventsQuery, type AuditEventInsert } from './queries'
import type { RequestMeta } from '../shared-types'

export type AuditEventType =
  | 'session.created'
  | 'session.revoked'
  | 'session.reuse_detected'
  | 'auth.logout'
  | 'auth.logout_all'
  | 'auth.registration_requested'
  | 'auth.registered'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.merged'
  | 'auth.mailbox_proven'
  | 'auth.email_verified'
  | 'auth.password_changed'
  | 'passkey.added'
  | 'passkey.renamed'
  | 'passkey.removed'
  | 'passkey.used'
  | 'identity.signed_in'
  | 'identity.linked'
  | 'identity.unlinked'
  | 'factor.totp_enrolled'
  | 'factor.totp_confirmed'
  | 'factor.totp_disabled'
  | 'factor.recovery_codes_regenerated'
  | 'factor.recovery_code_used'
  | 'factor.passed'
  | 'factor.failed'
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

function auditRow(event: AuditEvent, meta: RequestMeta, now: number): AuditEventInsert {
  return {
    type: event.type,
    userId: event.userId,
    sessionId: event.sessionId,
    at: now,
    ip: meta.ip,
    userAgent: meta.userAgent,
    country: meta.country,
    detail: event.detail ?? {},
  }
}

/** The insert for one event, for callers that put it in a batch with other writes. */
export function auditEventQuery(db: Db, event: AuditEvent, meta: RequestMeta, now: number) {
  return insertAuditEventsQuery(db, [auditRow(event, meta, now)])
}

/**
 * One request's audit events, collected as its operations record them and written in one insert
 * when the request is done (or fails: a refusal's events must land too).
 */
export class AuditLog {
  private pending: AuditEventInsert[] = []

  add(event: AuditEvent, meta: RequestMeta, now: number): void {
    this.pending.push(auditRow(event, meta, now))
  }

  async flush(db: Db): Promise<void> {
    const rows = this.pending
    this.pending = []
    if (rows.length > 0) await insertAuditEventsQuery(db, rows)
  }
}

const currentLog = new AsyncLocalStorage<AuditLog>()

/** Runs `operation` with `log` collecting the events it records; the caller flushes it. */
export function withAuditLog<T>(log: AuditLog, operation: () => Promise<T>): Promise<T> {
  return currentLog.run(log, operation)
}

/** Records an event: into the request's log when there is one, otherwise written at once. */
export async function recordAuditEvent(
  db: Db,
  event: AuditEvent,
  meta: RequestMeta,
  now: number,
): Promise<void> {
  const log = currentLog.getStore()
  if (log) return log.add(event, meta, now)
  await auditEventQuery(db, event, meta, now)
}
