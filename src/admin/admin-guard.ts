/**
 * Admin routes accept either `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time) or
 * an access token with `role: "admin"` whose session is confirmed live (`fresh`). A caller with
 * neither is told both ways in, ADMIN_TOKEN by name: a generic "needs a session" sends an
 * operator looking for a session they never needed.
 */
import type { MiddlewareHandler } from 'hono'
import { timingSafeEqualStrings } from '../platform/encoding'
import { AppError, unauthorized } from '../platform/errors'
import type { AppEnv } from '../http/app-env'
import { readBearerToken } from '../http/transport'
import { requireUser, userContext } from '../session'
import { CODE, type ErrorCode } from '../contract/error-codes'

/** What the user path answers when no credential, or none that verifies, was presented. */
const NO_CREDENTIALS: ReadonlySet<ErrorCode> = new Set([CODE.unauthenticated, CODE.invalid_token])

export function adminOnly(): MiddlewareHandler<AppEnv> {
  const asUser = userContext({ mode: 'required', fresh: true })
  return async (c, next) => {
    const bearer = readBearerToken(c)
    if (bearer && (await timingSafeEqualStrings(bearer, c.var.rt.settings.ADMIN_TOKEN))) {
      return next()
    }
    let authenticated = false
    try {
      await asUser(c, async () => {
        authenticated = true
        if (requireUser(c).role !== 'admin') {
          throw new AppError(403, CODE.forbidden, 'This endpoint is for administrators.')
        }
        await next()
      })
    } catch (error) {
      if (!authenticated && error instanceof AppError && NO_CREDENTIALS.has(error.code))
        throw unauthorized(CODE.admin_credentials_required, error.detail)
      throw error
    }
  }
}
