import { describe, expect, it } from 'vitest'
import { forgedTokens } from '../../forged-tokens'
import { api, bearer, CookieJar, createTokenSession, expectError } from '../../helpers'

describe('access token verification', () => {
  it('accepts our own token at token-info and returns its claims', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/auth/token-info', { headers: bearer(s.accessToken) })
    expect(res.status).toBe(200)
    const body = await res.json<Record<string, unknown>>()
    expect(body).toMatchObject({ sub: s.userId, sid: s.sessionId, anon: true, role: 'user' })
    expect(Number(body.exp) - Number(body.iat)).toBe(300)
  })

  it('reads the access cookie at token-info', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const res = await jar.fetch('/v1/auth/token-info')
    expect(res.status).toBe(200)
  })

  it('gives 401 at token-info with no token at all', async () => {
    await expectError(await api('/v1/auth/token-info'), 401, 'invalid_token')
  })

  for (const [name, attack] of forgedTokens) {
    it(`rejects ${name} with 401 and a JSON error`, async () => {
      const s = await createTokenSession()
      const token = await attack(s)
      for (const path of ['/v1/auth/token-info', '/v1/sessions']) {
        const res = await api(path, { headers: bearer(token) })
        await expectError(res, 401, 'invalid_token')
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
      }
    })
  }

  it("refuses one session's refresh secret presented under another session's id", async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    const crossed = `${b.sessionId}.${a.refreshToken.split('.')[1]}`
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'X-Session-Transport': 'token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: crossed }),
    })
    expect(res.status).toBe(401)
    // A's own token still works: the crossed secret proved nothing about A's session.
    const own = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'X-Session-Transport': 'token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: a.refreshToken }),
    })
    expect(own.status).toBe(200)
  })

  it('rejects an Authorization header that is not a Bearer token', async () => {
    await expectError(
      await api('/v1/sessions', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }),
      401,
      'invalid_token',
    )
  })
})
