/**
 * Answers 404 for a request that no route serves before any check that would answer it otherwise:
 * without it, `DELETE /v1/me` with no cookie reads as a refused cross-site write. Hono matches every
 * handler of a request before the first one runs, so a request that matched only middleware
 * (registered with `use`, method ALL) has no route.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { METHOD_NAME_ALL } from 'hono/router'
import { AppError } from '../platform/errors'
import { CODE } from '../contract/error-codes'

/** The 404 message of a method and path no route serves; the app's `notFound` says the same. */
export const noRouteMessage = (c: Context) => `No route for ${c.req.method} ${c.req.path}.`

export function knownRoutesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (matchedRoutes(c).every((route) => route.method === METHOD_NAME_ALL))
      throw new AppError(404, CODE.not_found, noRouteMessage(c))
    await next()
  }
}
