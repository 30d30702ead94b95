/**
 * Keeps a development route to this machine. `wrangler dev` sets `CF-Connecting-IP` to the
 * client's address; in production Cloudflare sets it to the real client, which is never a
 * loopback address. A request from anywhere else gets the 404 the route would give if absent.
 */
import type { MiddlewareHandler } from 'hono'
import { AppError } from '../platform/errors'
import { CODE } from '../contract/error-codes'

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i

export function isLoopbackAddress(ip: string | undefined): boolean {
  return ip !== undefined && LOOPBACK.test(ip)
}

export function loopbackOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (!isLoopbackAddress(c.req.header('cf-connecting-ip')))
      throw new AppError(404, CODE.not_found, `No route for ${c.req.method} ${c.req.path}.`)
    await next()
  }
}
