/**
 * The cross-origin policy: which origins CORS answers, and the CSRF defence for cookie-authenticated
 * requests. An unsafe request (POST, PUT, PATCH, DELETE) that relies on cookies must carry an
 * allowed `Origin`. Hono's `csrf` middleware checks only form content types and leaves JSON to
 * CORS preflight; we check every such request whatever its body, so a CORS mistake alone cannot
 * open a hole. Requests with `Authorization` or `X-Session-Transport` are exempt: a cross-site page
 * cannot send those headers without a preflight that CORS answers only for allowed origins.
 *
 * A refusal is silent in the browser (a CORS failure reads as a network error), so each refused
 * request leaves one log line naming the origin and the setting that admits it.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { AppError } from '../platform/errors'
import type { LogLevel } from './request-log'
import { TRANSPORT_HEADER } from './transport'
import { CODE } from '../contract/error-codes'

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/

/** Requests the origin check lets through whatever their Origin. */
/**
 * A provider's form_post callback (Apple) is a cross-site POST by design. It carries no cookies
 * (SameSite=Lax) and only redirects to the GET callback, which checks the flow's state.
 */
const CROSS_SITE_POST = /^\/v1\/auth\/providers\/[a-z0-9-]{1,32}\/callback$/

function isExempt(c: Context): boolean {
  return (
    SAFE_METHODS.test(c.req.method) ||
    (c.req.method === 'POST' && CROSS_SITE_POST.test(c.req.path)) ||
    c.req.header('authorization') !== undefined ||
    c.req.header(TRANSPORT_HEADER) !== undefined
  )
}

const isOwnOrigin = (c: Context, origin: string) => origin === new URL(c.req.url).origin

/**
 * Hono `cors`'s `origin` option: an allowed origin is echoed, any other gets no CORS headers. A
 * refused origin is logged here unless the origin check refuses the same request below (then its
 * 403 names the origin in the request's own log line), so each refusal is logged once.
 */
export function corsOrigin(allowedOrigins: readonly string[], logLevel: LogLevel) {
  const allowed = new Set(allowedOrigins)
  return (origin: string, c: Context): string | null => {
    if (allowed.has(origin)) return origin
    if (origin && !isOwnOrigin(c, origin) && isExempt(c) && logLevel !== 'error') {
      console.log(
        JSON.stringify({
          level: 'warn',
          msg: `cross-origin request refused: add ${origin} to ALLOWED_ORIGINS to admit it`,
          origin,
          setting: 'ALLOWED_ORIGINS',
          method: c.req.method,
        }),
      )
    }
    return null
  }
}

export function originCheck(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins)
  return async (c, next) => {
    if (!isExempt(c)) {
      const origin = c.req.header('origin')
      if (!origin || (!isOwnOrigin(c, origin) && !allowed.has(origin))) {
        throw new AppError(
          403,
          CODE.csrf_rejected,
          origin
            ? `Cross-site request rejected: the Origin ${origin} is not in ALLOWED_ORIGINS; add it there to admit it.`
            : 'Cross-site request rejected: a write that relies on cookies needs an Origin header. ' +
                'An API client should send "X-Session-Transport: token" and use bearer tokens.',
        )
      }
    }
    await next()
  }
}
