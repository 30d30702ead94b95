/** What an audit event or session row records of the request that caused it. */
import type { Context } from 'hono'
import type { RequestMeta } from '../platform/shared-types'

const MAX_USER_AGENT_LENGTH = 512

export function requestMeta(c: Context): RequestMeta {
  const request = c.req.raw as { cf?: { country?: unknown } }
  let country: string | null | undefined
  return {
    ip: c.req.header('cf-connecting-ip') ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    // Read when first asked: `request.cf` is built in full (dozens of fields) on first access,
    // 8% of an anonymous issuance's CPU under load, and only audit events and session rows,
    // which most requests never write, record the country.
    get country() {
      if (country === undefined) {
        const cf = request.cf
        country = typeof cf?.country === 'string' ? cf.country : null
      }
      return country
    },
  }
}
