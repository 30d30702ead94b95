/**
 * Admin routes accept either `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time) or
 * an access token with `role: "admin"` whose session is confirmed live (`fresh`).
 */
import type { MiddlewareHandler } from 'hono'
import { timingSafeEqualStrings } from '../platform/encoding'
import { AppError } from '../platform/errors'
import type { AppEnv } from '../http/app-env'
import { readBearerToken } from '../http/transport'
import { requireUser, userContext } from '../session'
import { CODE } from '../contract/error-codes'

export function adminOnly(): MiddlewareHandler<AppEnv> {
  const asUser = userContext({ mode: 'required', fresh: true })
  return async (c, next) => {
    const bearer = readBearerToken(c)
    if (bearer && (await timingSafeEqualStrings(bearer, c.var.rt.settings.ADMIN_TOKEN))) {
      return next()
    }
    await asUser(c, async () => {
      if (requireUser(c).role !== 'admin') {
        throw new AppError(403, CODE.forbidden, 'This endpoint is for administrators.')
      }
      await next()
    })
  }
}
