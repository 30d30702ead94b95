/**
 * `client.getToken()` and `client.fetch()`: a token for the app's own APIs, from either
 * transport, fetched once for concurrent callers, and accepted by a second Worker (the consumer
 * fixture, which verifies it over its service binding).
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient, type FetchLike } from '../../../src/sdk/client'
import { api, BASE, bearer, CookieJar, registerWithClient, uniqueEmail } from '../../helpers'
import { type Exchange, PASSWORD, refreshes, workerFetch } from './worker-fetch'

const API = 'https://api.example.com'

afterEach(() => {
  vi.useRealTimers()
})

/** The service as `workerFetch` reaches it, and `API` as the consumer Worker, logging both. */
function routedFetch(log: Exchange[], jar?: CookieJar): FetchLike {
  const service = workerFetch(log, jar)
  return async (input, init) => {
    if (!input.startsWith(API)) return service(input, init)
    const res = await env.CONSUMER.fetch(new Request(input, init))
    const path = new URL(input).pathname
    const sent = new Headers(init.headers).has('Authorization')
    log.push({ method: init.method ?? 'GET', path, status: res.status, bearer: sent })
    return res
  }
}

const handouts = (log: Exchange[]) => log.filter((e) => e.path === '/v1/auth/token')

async function claimsOf(token: string) {
  const res = await api('/v1/auth/token-info', { headers: bearer(token) })
  expect(res.status).toBe(200)
  return res.json<{ sub: string; sid: string; anon: boolean }>()
}

describe('getToken over cookie transport', () => {
  it("hands the page its session's access token once for five callers at once", async () => {
    const log: Exchange[] = []
    const jar = new CookieJar()
    const client = createSessionClient({ baseUrl: BASE, fetch: routedFetch(log, jar) })
    const { user, session } = await client.me()

    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(handouts(log)).toHaveLength(1)
    expect(await claimsOf(tokens[0]!)).toMatchObject({ sub: user.id, sid: session.id })
    // Kept until it nears its expiry: no second request.
    expect(await client.getToken()).toBe(tokens[0])
    expect(handouts(log)).toHaveLength(1)
  })

  it('asks again after a sign-in, and the token names the account', async () => {
    const jar = new CookieJar()
    const client = createSessionClient({ baseUrl: BASE, fetch: routedFetch([], jar) })
    await client.me()
    const before = await client.getToken()
    const { user } = await registerWithClient(client, { email: uniqueEmail(), password: PASSWORD })
    const after = await client.getToken()
    expect(after).not.toBe(before)
    expect(await claimsOf(after)).toMatchObject({ sub: user.id, anon: false })
  })

  it('refreshes once for five callers when the access token has expired', async () => {
    const log: Exchange[] = []
    const jar = new CookieJar()
    const client = createSessionClient({ baseUrl: BASE, fetch: routedFetch(log, jar) })
    const { user } = await client.me()
    const first = await client.getToken()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 301_000)
    log.length = 0

    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    expect(handouts(log)).toHaveLength(1)
    expect(await claimsOf(tokens[0]!)).toMatchObject({ sub: user.id })
  })

  it('starts an anonymous session when the browser has none', async () => {
    const client = createSessionClient({ baseUrl: BASE, fetch: routedFetch([], new CookieJar()) })
    const claims = await claimsOf(await client.getToken())
    expect(claims.anon).toBe(true)
    expect(client.getState()).toMatchObject({ status: 'anonymous', user: { id: claims.sub } })
  })
})

describe('getToken over token transport', () => {
  it('refreshes once for five callers when the access token has expired', async () => {
    const log: Exchange[] = []
    const client = createSessionClient({
      baseUrl: BASE,
      transport: 'token',
      fetch: routedFetch(log),
    })
    const { user } = await client.me()
    const first = await client.getToken()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 301_000)
    log.length = 0

    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    expect(refreshes(log)).toHaveLength(1)
    expect(handouts(log)).toHaveLength(0)
    expect(await claimsOf(tokens[0]!)).toMatchObject({ sub: user.id })
  })
})

describe('client.fetch to a second Worker', () => {
  for (const transport of ['cookie', 'token'] as const) {
    it(`gets the signed-in user from the API with ${transport} transport`, async () => {
      const jar = transport === 'cookie' ? new CookieJar() : undefined
      const client = createSessionClient({ baseUrl: BASE, transport, fetch: routedFetch([], jar) })
      await client.me()
      const { user } = await registerWithClient(client, {
        email: uniqueEmail(),
        password: PASSWORD,
      })

      const res = await client.fetch(`${API}/api/me`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({
        user: expect.objectContaining({ sub: user.id, anon: false }),
      })
    })
  }

  it('refreshes and retries once when the API refuses the token', async () => {
    const log: Exchange[] = []
    const service = routedFetch(log, new CookieJar())
    let refusals = 1
    const client = createSessionClient({
      baseUrl: BASE,
      fetch: async (input, init) => {
        if (input.startsWith(API) && refusals-- > 0) return new Response(null, { status: 401 })
        return service(input, init)
      },
    })
    const { user } = await client.me()
    log.length = 0

    const res = await client.fetch(`${API}/api/me`, { headers: { Accept: 'application/json' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ user: expect.objectContaining({ sub: user.id }) })
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'POST /v1/auth/token 200',
      'POST /v1/auth/refresh 200',
      'POST /v1/auth/token 200',
      'GET /api/me 200',
    ])
  })
})
