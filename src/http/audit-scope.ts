/**
 * The request's audit log: every event the handler's operations record is written in one D1
 * insert after the handler, errors included (Hono has already turned a thrown error into the
 * answer when `next` returns), so a refusal's events land as a success's do.
 */
import type { MiddlewareHandler } from 'hono'
import { AuditLog, withAuditLog } from '../platform/audit/audit-log'
import type { AppEnv } from './app-env'

export function auditScope(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const log = new AuditLog()
    try {
      await withAuditLog(log, next)
    } finally {
      await log.flush(c.var.rt.db)
    }
  }
}
