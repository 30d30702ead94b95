/**
 * What a request records (src/http/request-meta.ts): its address, agent and country, the country
 * read from `request.cf` only when something records it. The runtime builds all of `cf` on first
 * access, which was 8% of an anonymous issuance's CPU, and issuance never records a country.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { requestMeta } from '../../src/http/request-meta'
import type { RequestMeta } from '../../src/platform/shared-types'

/** A request whose `cf` counts how often it is read. */
function requestWithCf(country: string) {
  const request = new Request('https://auth.example.com/meta', {
    headers: { 'cf-connecting-ip': '203.0.113.7', 'user-agent': 'test-agent' },
  })
  let reads = 0
  Object.defineProperty(request, 'cf', {
    get() {
      reads++
      return { country, colo: 'AMS', asn: 64500 }
    },
  })
  return { request, reads: () => reads }
}

describe('request metadata', () => {
  it('reads request.cf only when the country is asked for, and once', async () => {
    let meta: RequestMeta | undefined
    const app = new Hono().get('/meta', (c) => {
      meta = requestMeta(c)
      return c.text(`${meta.ip} ${meta.userAgent}`)
    })
    const { request, reads } = requestWithCf('NL')
    expect(await (await app.fetch(request)).text()).toBe('203.0.113.7 test-agent')
    expect(reads()).toBe(0)
    expect(meta!.country).toBe('NL')
    expect(meta!.country).toBe('NL')
    expect(reads()).toBe(1)
    // Copied (as a session row or an RPC argument is), it carries the country.
    expect(JSON.parse(JSON.stringify(meta))).toEqual({
      ip: '203.0.113.7',
      userAgent: 'test-agent',
      country: 'NL',
    })
  })
})
