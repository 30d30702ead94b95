/**
 * A request that carries the session cookie is a cookie-transport request. Asking for token
 * transport as well would rotate the HttpOnly secret into a JSON body that script can read (and
 * leave the browser's cookie stale, so the session would die of reuse): refused.
 */
import type { MiddlewareHandler } from 'hono'
import { readCredentialCookies, wantsTokenTransport } from './transport'
import { AppError } from '../platform/errors'
import type { AppEnv } from './app-env'
import { CODE } from '../contract/error-codes'

export function transportGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (wantsTokenTransport(c) && readCredentialCookies(c).session !== undefined)
      throw new AppError(
        400,
        CODE.transport_conflict,
        'This request carries the session cookie, so it cannot ask for tokens: drop the ' +
          'X-Session-Transport header, or send no cookies (fetch credentials: "omit").',
      )
    await next()
  }
}
