/**
 * `POST /v1/auth/token`: a cookie session's access token handed to its own page (for the app's
 * other APIs), never the refresh token, and only to an allowed origin.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  api,
  bearer,
  CookieJar,
  createTokenSession,
  expectError,
  TOKEN_TRANSPORT,
} from '../helpers'

afterEach(() => {
  vi.useRealTimers()
})

interface Handout {
  accessToken: string
  tokenType: string
  expiresIn: number
}

async function anonymousJar(): Promise<CookieJar> {
  const jar = new CookieJar()
  expect((await jar.fetch('/v1/me')).status).toBe(200)
  return jar
}

const handout = (jar: CookieJar, headers: Record<string, string> = {}) =>
  jar.fetch('/v1/auth/token', { method: 'POST', headers })

describe('POST /v1/auth/token', () => {
  it('answers the access cookie itself while it has time left, uncached', async () => {
    const jar = await anonymousJar()
    const res = await handout(jar)
    expect(res.status).toBe(200)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const body = await res.json<Handout>()
    expect(body).toEqual({
      accessToken: jar.cookies.get('__Host-access'),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
    })
    expect(body.expiresIn).toBeGreaterThan(290)
    expect(res.headers.getSetCookie()).toEqual([])
    expect(JSON.stringify(body)).not.toContain(jar.cookies.get('__Host-session')!)
    const info = await api('/v1/auth/token-info', { headers: bearer(body.accessToken) })
    expect(info.status).toBe(200)
  })

  it('refreshes when the access cookie is about to expire, and sets the new cookies', async () => {
    const jar = await anonymousJar()
    const old = jar.cookies.get('__Host-access')
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 280_000)
    const res = await handout(jar)
    expect(res.status).toBe(200)
    const body = await res.json<Handout>()
    expect(body.accessToken).not.toBe(old)
    expect(body.accessToken).toBe(jar.cookies.get('__Host-access'))
    expect(body.expiresIn).toBe(300)
  })

  it('refuses a page whose origin is not allowed', async () => {
    const jar = await anonymousJar()
    await expectError(await handout(jar, { Origin: 'https://evil.example' }), 403, 'csrf_rejected')
  })

  it('answers 401 with no session cookie', async () => {
    await expectError(await handout(new CookieJar()), 401, 'invalid_refresh_token')
  })

  it('tells a token-transport client that it holds its token already', async () => {
    const session = await createTokenSession()
    const res = await api('/v1/auth/token', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, ...bearer(session.accessToken) },
    })
    await expectError(res, 400, 'invalid_request')
  })
})
