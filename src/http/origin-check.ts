/**
 * CSRF defence for cookie-authenticated requests: an unsafe request (POST, PUT, PATCH, DELETE)
 * that relies on cookies must carry an allowed `Origin`. Hono's `csrf` middleware checks only form
 * content types and leaves JSON to CORS preflight; we check every such request whatever its body,
 * so a CORS mistake alone cannot open a hole. Requests with `Authorization` or
 * `X-Session-Transport` are exempt: a cross-site page cannot send those headers without a
 * preflight that CORS answers only for allowed origins.
 */
import type { MiddlewareHandler } from 'hono'
import { AppError } from '../platform/errors'
import { TRANSPORT_HEADER } from './transport'
import { CODE } from '../contract/error-codes'

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/

export function originCheck(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins)
  return async (c, next) => {
    const exempt =
      SAFE_METHODS.test(c.req.method) ||
      c.req.header('authorization') !== undefined ||
      c.req.header(TRANSPORT_HEADER) !== undefined
    if (!exempt) {
      const origin = c.req.header('origin')
      if (!origin || (origin !== new URL(c.req.url).origin && !allowed.has(origin))) {
        throw new AppError(
          403,
          CODE.csrf_rejected,
          origin
            ? 'Cross-site request rejected: this Origin is not in ALLOWED_ORIGINS.'
            : 'Cross-site request rejected: a write that relies on cookies needs an Origin header. ' +
                'An API client should send "X-Session-Transport: token" and use bearer tokens.',
        )
      }
    }
    await next()
  }
}
