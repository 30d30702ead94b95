/**
 * Admin routes accept either `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time) or
 * an access token with `role: "admin"` whose session is confirmed live (`fresh`).
 */
import type { MiddlewareHandler } from 'hono'
import { timingSafeEqualStrings } from '../encoding'
import { AppError } from '../errors'
import type { AppEnv } from './app-env'
import { readBearerToken } from './transport'
import { requireUser, userContext } from './user-context'
import { CODE } from '../error-codes'

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
