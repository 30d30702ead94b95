/** What an audit event or session row records of the request that caused it. */
import type { Context } from 'hono'
import type { RequestMeta } from '../platform/shared-types'

const MAX_USER_AGENT_LENGTH = 512

export function requestMeta(c: Context): RequestMeta {
  const cf = (c.req.raw as { cf?: { country?: unknown } }).cf
  return {
    ip: c.req.header('cf-connecting-ip') ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    country: typeof cf?.country === 'string' ? cf.country : null,
  }
}
