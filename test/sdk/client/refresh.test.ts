/**
 * The SDK's refresh: single-flight per client, one retry after a 401, and the races around it
 * (tabs sharing a store or a cookie jar, a sign-in overtaking a refresh, a revoked session).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createMemoryTokenStore,
  createSessionClient,
  type FetchLike,
} from '../../../src/sdk/client'
import { api, APP_ORIGIN, BASE, CookieJar, uniqueEmail, registerWithClient } from '../../helpers'
import {
  caught,
  cookieClient,
  type Exchange,
  PASSWORD,
  refreshes,
  refusal,
  tokenClient,
  workerFetch,
} from './worker-fetch'

afterEach(() => {
  vi.useRealTimers()
})

describe('refresh over token transport', () => {
  it('sends one refresh for five calls made at once after the access token expired', async () => {
    const log: Exchange[] = []
    const client = tokenClient(log)
    const { user } = await client.me()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 301_000)
    log.length = 0

    const answers = await Promise.all([
      client.preferences.get(),
      client.sessions(),
      client.documents.list(),
      client.secrets.list(),
      client.me(),
    ])
    expect(refreshes(log)).toEqual([
      { method: 'POST', path: '/v1/auth/refresh', status: 200, bearer: false },
    ])
    expect(log.filter((e) => e.status !== 200)).toEqual([])
    expect(log).toHaveLength(6)
    expect(answers[4].user.id).toBe(user.id)
  })

  it('retries five calls refused with 401 after a single shared refresh', async () => {
    const log: Exchange[] = []
    const store = createMemoryTokenStore()
    const client = tokenClient(log, store)
    await client.me()
    // The client believes its token is good for ten more minutes; the server's clock disagrees.
    await store.save({ ...(await store.load())!, accessExpiresAt: Date.now() + 600_000 })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 301_000)
    log.length = 0

    await Promise.all(Array.from({ length: 5 }, () => client.preferences.get()))
    const prefs = log.filter((e) => e.path === '/v1/me/preferences')
    expect(prefs.map((e) => e.status).sort()).toEqual([
      200, 200, 200, 200, 200, 401, 401, 401, 401, 401,
    ])
    expect(refreshes(log)).toHaveLength(1)
  })

  it('recovers from a refused access token by refreshing once and retrying', async () => {
    const log: Exchange[] = []
    const store = createMemoryTokenStore()
    const client = tokenClient(log, store)
    await client.me()
    const pair = (await store.load())!
    await store.save({ ...pair, accessToken: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' })
    log.length = 0

    expect(await client.preferences.get()).toEqual({})
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /v1/me/preferences 401',
      'POST /v1/auth/refresh 200',
      'GET /v1/me/preferences 200',
    ])
    expect((await store.load())?.refreshToken).not.toBe(pair.refreshToken)
  })

  it('retries only once when the retry is refused too', async () => {
    const log: Exchange[] = []
    const real = workerFetch(log)
    const refusing: FetchLike = (input, init) =>
      new URL(input).pathname === '/v1/me/preferences'
        ? Promise.resolve(refusal())
        : real(input, init)
    const client = createSessionClient({ baseUrl: BASE, transport: 'token', fetch: refusing })
    await client.me()
    const error = await caught(client.preferences.get())
    expect([error.status, error.code]).toEqual([401, 'invalid_token'])
    expect(refreshes(log)).toHaveLength(1)
  })

  it('forgets a session the server revoked and me() starts a new anonymous one', async () => {
    const store = createMemoryTokenStore()
    const client = tokenClient([], store)
    const other = tokenClient()
    const email = uniqueEmail()
    await client.me()
    const account = await registerWithClient(client, { email, password: PASSWORD })
    await other.me()
    await other.login({ email, password: PASSWORD })
    await other.logoutAll()
    expect(await other.me().then((m) => m.user.isAnonymous)).toBe(true)

    // A fresh read asks the session's object: revoked. The refresh fails too, so the pair is
    // dropped, and me() is anonymous again.
    const error = await caught(client.secrets.get('ANY'))
    expect(error.status).toBe(401)
    expect(await store.load()).toBeNull()
    const again = await client.me()
    expect(again.user.isAnonymous).toBe(true)
    expect(again.user.id).not.toBe(account.user.id)
  })

  it('keeps a sign-in that raced a refresh of the session it replaced', async () => {
    const client = tokenClient()
    await client.me()
    const email = uniqueEmail()
    const [, signIn] = await Promise.all([
      client.refresh().catch(() => undefined),
      registerWithClient(client, { email, password: PASSWORD }),
    ])
    expect((await client.me()).user.id).toBe(signIn.user.id)
    expect(await client.preferences.get()).toEqual({})
  })

  it('lets two clients sharing a store refresh at once, both staying signed in', async () => {
    const store = createMemoryTokenStore()
    const log: Exchange[] = []
    const tabA = tokenClient(log, store)
    const tabB = tokenClient(log, store)
    const { user } = await tabA.me()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 301_000)
    log.length = 0
    // One refresh per client; the server's grace window gives both the same new pair.
    const [a, b] = await Promise.all([tabA.me(), tabB.me()])
    expect([a.user.id, b.user.id]).toEqual([user.id, user.id])
    expect(refreshes(log).map((e) => e.status)).toEqual([200, 200])
  })
})

describe('refresh over cookie transport', () => {
  it('refreshes with the session cookie after a 401 and retries', async () => {
    const jar = new CookieJar()
    const log: Exchange[] = []
    const real = workerFetch(log, jar)
    let refused = false
    const refuseOnce: FetchLike = (input, init) => {
      if (new URL(input).pathname !== '/v1/sessions' || refused) return real(input, init)
      refused = true
      return Promise.resolve(refusal())
    }
    const client = createSessionClient({ baseUrl: BASE, fetch: refuseOnce })
    await client.me()
    expect(await client.sessions()).toHaveLength(1)
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /v1/me 200',
      'POST /v1/auth/refresh 200',
      'GET /v1/sessions 200',
    ])
  })

  it('takes a refresh superseded by a sign-in in another tab as done, and retries', async () => {
    const jar = new CookieJar()
    const tabA = cookieClient(jar)
    await tabA.me()
    const before = jar.header()
    const account = await registerWithClient(tabA, { email: uniqueEmail(), password: PASSWORD })

    // Tab B shares the jar, but its refresh went out with the cookies from before the sign-in.
    const log: Exchange[] = []
    const real = workerFetch(log, jar)
    let refused = false
    const tabB = createSessionClient({
      baseUrl: BASE,
      fetch: async (input, init) => {
        const path = new URL(input).pathname
        if (path === '/v1/auth/refresh') {
          const headers = { ...(init.headers as Record<string, string>), Cookie: before }
          const res = await api(path, { ...init, headers: { ...headers, Origin: APP_ORIGIN } })
          log.push({ method: 'POST', path, status: res.status, bearer: false })
          return res
        }
        if (path !== '/v1/sessions' || refused) return real(input, init)
        refused = true
        return refusal()
      },
    })
    expect((await tabB.sessions()).map((s) => s.id)).toEqual([account.session.id])
    expect(log.map((e) => `${e.path} ${e.status}`)).toEqual([
      '/v1/auth/refresh 401',
      '/v1/sessions 200',
    ])
  })

  it('starts a new anonymous user after another device logged out everywhere', async () => {
    const email = uniqueEmail()
    const laptop = cookieClient(new CookieJar())
    const phone = cookieClient(new CookieJar())
    await laptop.me()
    const account = await registerWithClient(laptop, { email, password: PASSWORD })
    await phone.me()
    expect((await phone.login({ email, password: PASSWORD })).user.id).toBe(account.user.id)
    await laptop.logoutAll()
    const after = await phone.me()
    expect(after.user.isAnonymous).toBe(true)
    expect(after.user.id).not.toBe(account.user.id)
  })
})
