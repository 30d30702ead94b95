/**
 * One JSON line per request: method, route pattern (never the raw path, which holds ids), status,
 * duration, a user id prefix, a request id and a refusal's detail. Never a token, secret, email or
 * query string.
 */
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { AppError } from '../platform/errors'
import type { AppEnv } from './app-env'

/** Enough of a user id to correlate lines, not enough to name the user: `anon_1ab4`. */
const USER_PREFIX_LENGTH = 9

export type LogLevel = 'info' | 'warn' | 'error'

export function requestLog(level: LogLevel): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID()
    c.header('X-Request-Id', requestId)
    await next()
    const status = c.res.status
    const lineLevel: LogLevel = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
    if (rank[lineLevel] < rank[level]) return
    const line = {
      level: lineLevel,
      msg: 'request',
      method: c.req.method,
      route: routePath(c, -1) || 'unmatched',
      status,
      durationMs: Math.round(performance.now() - started),
      user: c.var.user?.id.slice(0, USER_PREFIX_LENGTH) ?? null,
      requestId,
      // What this refusal was about; the client got only its code's one message.
      ...(c.error instanceof AppError && c.error.detail ? { detail: c.error.detail } : {}),
    }
    console.log(JSON.stringify(line))
  }
}

const rank: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 }
