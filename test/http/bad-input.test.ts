import { describe, expect, it } from 'vitest'
import {
  api,
  APP_ORIGIN,
  bearer,
  CookieJar,
  createTokenSession,
  expectError,
  jsonHeaders,
  TOKEN_TRANSPORT,
} from '../helpers'

describe('malformed input never gives a 500', () => {
  it('answers 404 not_found as JSON for an unknown route', async () => {
    await expectError(await api('/v1/nope'), 404, 'not_found')
  })

  it.each([
    ['a garbage session cookie', '__Host-session=garbage'],
    ['a session cookie with a bad sid', '__Host-session=sess_XYZ.aaaa'],
    ['a session cookie with a short secret', `__Host-session=sess_${'0'.repeat(26)}.short`],
    ['an access cookie that is not a JWT', '__Host-access=%%%'],
  ])('answers 400 for %s and clears the cookies', async (_name, cookie) => {
    const res = await api('/v1/me', { headers: { Cookie: cookie } })
    await expectError(res, 400, 'invalid_request')
    const cleared = res.headers.getSetCookie()
    expect(cleared.some((line) => /^__Host-session=;/.test(line) && /Max-Age=0/.test(line))).toBe(
      true,
    )
  })

  it.each([
    'sess_short',
    'anon_00000000000000000000000000',
    'sess_UPPERCASEISNOTBASE32XXXXXX',
    "sess_'; drop table sessions; --",
  ])('answers 400 for the session id %s', async (id) => {
    const s = await createTokenSession()
    const res = await api(`/v1/sessions/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: bearer(s.accessToken),
    })
    await expectError(res, 400, 'invalid_request')
  })

  it('names the field when a body has the wrong type', async () => {
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: 42 }),
    })
    await expectError(res, 400, 'invalid_request')
  })

  it('answers 400 for a body that is not JSON', async () => {
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: '{"refreshToken":',
    })
    await expectError(res, 400, 'invalid_request')
  })

  it('answers 401 for a refresh token that is not shaped like one', async () => {
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: 'not.a.token' }),
    })
    await expectError(res, 401, 'invalid_refresh_token')
  })

  it('answers 401 for a refresh with no token at all', async () => {
    await expectError(
      await api('/v1/auth/refresh', { method: 'POST', headers: TOKEN_TRANSPORT }),
      401,
      'invalid_refresh_token',
    )
  })

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: 'x'.repeat(70_000) }),
    })
    await expectError(res, 413, 'payload_too_large')
  })

  it('lists every failing field in error.fields, each with its path and problem', async () => {
    const res = await api('/v1/auth/register', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ email: 'not an email', password: 'short' }),
    })
    expect(res.status).toBe(400)
    const { error } = await res.json<{
      error: { code: string; message: string; fields: Array<{ path: string; message: string }> }
    }>()
    expect(error.code).toBe('invalid_request')
    expect(error.fields.map((f) => f.path).sort()).toEqual(['body.email', 'body.password'])
    for (const field of error.fields) {
      expect(field.message).toEqual(expect.any(String))
      expect(error.message).toContain(`${field.path}: ${field.message}`)
    }
  })

  it('names the field when the refresh token is too long', async () => {
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: 'x'.repeat(600) }),
    })
    const body = await res.json<{ error: { message: string } }>()
    expect(res.status).toBe(400)
    expect(body.error.message).toContain('body.refreshToken')
  })
})

describe('CSRF origin check', () => {
  it('rejects a cookie-authenticated POST without an Origin', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const res = await api('/v1/auth/logout', { method: 'POST', headers: { Cookie: jar.header() } })
    await expectError(res, 403, 'csrf_rejected')
  })

  it('tells a plain API client without an Origin to use token transport', async () => {
    const res = await api('/v1/sessions/anonymous', { method: 'POST' })
    expect(res.status).toBe(403)
    const { error } = await res.json<{ error: { code: string; message: string } }>()
    expect(error.code).toBe('csrf_rejected')
    const { message } = error
    expect(message).toContain('X-Session-Transport: token')
    expect(message).toContain('Origin')
  })

  it('rejects a cookie-authenticated POST from a foreign origin, whatever its content type', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    for (const contentType of [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const res = await api('/v1/auth/logout-all', {
        method: 'POST',
        headers: {
          Cookie: jar.header(),
          Origin: 'https://evil.example',
          'Content-Type': contentType,
        },
        body: '{}',
      })
      await expectError(res, 403, 'csrf_rejected')
    }
    // Nothing happened: the session still works.
    expect((await jar.fetch('/v1/sessions')).status).toBe(200)
  })

  it('accepts an allowed origin and the service’s own origin', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    expect(
      (await jar.fetch('/v1/auth/refresh', { method: 'POST', headers: { Origin: APP_ORIGIN } }))
        .status,
    ).toBe(200)
    expect(
      (
        await jar.fetch('/v1/auth/refresh', {
          method: 'POST',
          headers: { Origin: 'https://auth.test' },
        })
      ).status,
    ).toBe(200)
  })

  it('exempts bearer requests', async () => {
    const s = await createTokenSession()
    expect(
      (await api('/v1/auth/logout', { method: 'POST', headers: bearer(s.accessToken) })).status,
    ).toBe(204)
  })

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      api('/v1/auth/logout', {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      })
    const allowed = await preflight(APP_ORIGIN)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    const denied = await preflight('https://evil.example')
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('response headers', () => {
  it('sends the secure-headers set with HSTS when cookies are Secure', async () => {
    const res = await api('/healthz')
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })
})
