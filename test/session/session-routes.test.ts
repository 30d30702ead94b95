import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  CookieJar,
  createTokenSession,
  expectError,
  refreshWithToken,
  TOKEN_TRANSPORT,
  countRows,
} from '../helpers'

interface MeBody {
  user: { id: string; isAnonymous: boolean; email: string | null; role: string; createdAt: string }
  session: { id: string; current: boolean; expiresAt: string }
  tokens?: { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number }
}

describe('cookie transport', () => {
  it('creates an anonymous session on first contact and sets HttpOnly __Host- cookies', async () => {
    const jar = new CookieJar()
    const res = await jar.fetch('/v1/me')
    expect(res.status).toBe(200)
    const body = await res.json<MeBody>()
    expect(body.user.id).toMatch(/^anon_[0-9a-hjkmnp-tv-z]{26}$/)
    expect(body.user).toMatchObject({ isAnonymous: true, email: null, role: 'user' })
    expect(body.session.id).toMatch(/^sess_/)
    expect(body.session.current).toBe(true)
    expect(body.tokens).toBeUndefined()
    const setCookies = res.headers.getSetCookie()
    expect(setCookies).toHaveLength(2)
    for (const line of setCookies) {
      expect(line).toMatch(/^__Host-(access|session)=/)
      expect(line).toMatch(/HttpOnly/)
      expect(line).toMatch(/Secure/)
      expect(line).toMatch(/SameSite=Lax/)
      expect(line).toMatch(/Path=\//)
    }
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('keeps the same user on the next request with the access cookie, without rotating', async () => {
    const jar = new CookieJar()
    const first = await (await jar.fetch('/v1/me')).json<MeBody>()
    const res = await jar.fetch('/v1/me')
    expect(res.headers.getSetCookie()).toHaveLength(0)
    const second = await res.json<MeBody>()
    expect(second.user.id).toBe(first.user.id)
    expect(second.session.id).toBe(first.session.id)
  })

  it('refreshes transparently when the access cookie is gone but the session cookie is valid', async () => {
    const jar = new CookieJar()
    const first = await (await jar.fetch('/v1/me')).json<MeBody>()
    const oldSessionCookie = jar.cookies.get('__Host-session')
    jar.cookies.delete('__Host-access')
    const res = await jar.fetch('/v1/me')
    expect(res.status).toBe(200)
    const second = await res.json<MeBody>()
    expect(second.user.id).toBe(first.user.id)
    expect(second.session.id).toBe(first.session.id)
    expect(jar.cookies.get('__Host-session')).not.toBe(oldSessionCookie)
    expect(jar.cookies.get('__Host-access')).toBeTruthy()
  })

  it('refreshes by cookie at POST /v1/auth/refresh', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const before = jar.cookies.get('__Host-session')
    const res = await jar.fetch('/v1/auth/refresh', { method: 'POST' })
    expect(res.status).toBe(200)
    expect(jar.cookies.get('__Host-session')).not.toBe(before)
    expect((await res.json<MeBody>()).tokens).toBeUndefined()
  })

  it('starts a new anonymous session when the session cookie no longer works', async () => {
    const jar = new CookieJar()
    const first = await (await jar.fetch('/v1/me')).json<MeBody>()
    await jar.fetch('/v1/auth/logout', { method: 'POST' })
    expect(jar.cookies.size).toBe(0)
    const second = await (await jar.fetch('/v1/me')).json<MeBody>()
    expect(second.user.id).not.toBe(first.user.id)
  })

  it('answers 401 on a required route when the presented session is dead, and clears the cookies', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const stale = new CookieJar()
    stale.cookies.set('__Host-session', jar.cookies.get('__Host-session')!)
    await jar.fetch('/v1/auth/logout', { method: 'POST' })
    const res = await stale.fetch('/v1/sessions')
    await expectError(res, 401, 'invalid_refresh_token')
    expect(stale.cookies.size).toBe(0)
  })
})

describe('token transport', () => {
  it('returns tokens in the body and sets no cookie', async () => {
    const res = await api('/v1/sessions/anonymous', { method: 'POST', headers: TOKEN_TRANSPORT })
    expect(res.status).toBe(201)
    expect(res.headers.getSetCookie()).toHaveLength(0)
    const body = await res.json<MeBody>()
    expect(body.tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 300 })
    expect(body.tokens!.refreshToken.startsWith(`${body.session.id}.`)).toBe(true)
  })

  it('authenticates with the bearer token', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/me', { headers: bearer(s.accessToken) })
    expect(res.status).toBe(200)
    expect((await res.json<MeBody>()).user.id).toBe(s.userId)
  })

  it('creates a session with tokens in the body at GET /v1/me with no credentials', async () => {
    const res = await api('/v1/me', { headers: TOKEN_TRANSPORT })
    const body = await res.json<MeBody>()
    expect(body.tokens?.accessToken).toBeTruthy()
    expect(res.headers.getSetCookie()).toHaveLength(0)
  })

  it('rotates the refresh token and the new one keeps the same user and session', async () => {
    const s = await createTokenSession()
    const res = await refreshWithToken(s.refreshToken)
    expect(res.status).toBe(200)
    const body = await res.json<MeBody>()
    expect(body.user.id).toBe(s.userId)
    expect(body.session.id).toBe(s.sessionId)
    expect(body.tokens!.refreshToken).not.toBe(s.refreshToken)
    const again = await refreshWithToken(body.tokens!.refreshToken)
    expect(again.status).toBe(200)
  })

  it('gives 401 invalid_refresh_token for an unknown session', async () => {
    const s = await createTokenSession()
    const forged = `sess_00000000000000000000000000.${s.refreshToken.split('.')[1]}`
    await expectError(await refreshWithToken(forged), 401, 'invalid_refresh_token')
  })

  it('gives a plain 401 for a secret the session never issued, and ends nothing', async () => {
    // Anyone knows a session id (it is in every access token); guessing at it must not end it.
    const s = await createTokenSession()
    const wrong = `${s.sessionId}.${'A'.repeat(43)}`
    await expectError(await refreshWithToken(wrong), 401, 'invalid_refresh_token')
    expect((await refreshWithToken(s.refreshToken)).status).toBe(200)
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.reuse_detected'",
        s.sessionId,
      ),
    ).toBe(0)
  })
})

describe('session listing and revocation', () => {
  it('lists live sessions newest first, marking the current one', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/sessions', { headers: bearer(s.accessToken) })
    expect(res.status).toBe(200)
    const { sessions } = await res.json<{ sessions: Array<{ id: string; current: boolean }> }>()
    expect(sessions).toEqual([expect.objectContaining({ id: s.sessionId, current: true })])
  })

  it("gives 404 for another user's session id and leaves it alive", async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    await expectError(
      await api(`/v1/sessions/${a.sessionId}`, {
        method: 'DELETE',
        headers: bearer(b.accessToken),
      }),
      404,
      'not_found',
    )
    expect((await refreshWithToken(a.refreshToken)).status).toBe(200)
  })

  it('revokes one of my sessions by id: its refresh token stops working', async () => {
    const s = await createTokenSession()
    const res = await api(`/v1/sessions/${s.sessionId}`, {
      method: 'DELETE',
      headers: bearer(s.accessToken),
    })
    expect(res.status).toBe(204)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
    const row = await env.DB.prepare('select revoked_at from sessions where id = ?')
      .bind(s.sessionId)
      .first<{ revoked_at: number }>()
    expect(row?.revoked_at).toBeGreaterThan(0)
  })

  it('logs out: the session ends, the event is audited', async () => {
    const s = await createTokenSession()
    expect(
      (await api('/v1/auth/logout', { method: 'POST', headers: bearer(s.accessToken) })).status,
    ).toBe(204)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
    // The access token still verifies until it expires, but answers that read the session see it gone.
    await expectError(
      await api('/v1/me', { headers: bearer(s.accessToken) }),
      401,
      'session_revoked',
    )
    const events = await env.DB.prepare(
      'select type from audit_events where session_id = ? order by id',
    )
      .bind(s.sessionId)
      .all<{ type: string }>()
    expect(events.results.map((e) => e.type)).toEqual(['session.created', 'auth.logout'])
  })

  it('logs out everywhere: every session of the user ends', async () => {
    const jar = new CookieJar()
    const me = await (await jar.fetch('/v1/me')).json<MeBody>()
    // A second session of the same user, as another device would hold after a refresh chain.
    const second = await refreshWithToken(jar.cookies.get('__Host-session')!)
    const tokens = (await second.json<MeBody>()).tokens!
    const res = await jar.fetch('/v1/auth/logout-all', { method: 'POST' })
    expect(res.status).toBe(204)
    expect(jar.cookies.size).toBe(0)
    await expectError(await refreshWithToken(tokens.refreshToken), 401, 'invalid_refresh_token')
    const live = await env.DB.prepare(
      'select count(*) as n from sessions where user_id = ? and revoked_at is null',
    )
      .bind(me.user.id)
      .first<{ n: number }>()
    expect(live?.n).toBe(0)
    const types = await env.DB.prepare('select type from audit_events where user_id = ?')
      .bind(me.user.id)
      .all<{ type: string }>()
    expect(types.results.map((e) => e.type)).toContain('auth.logout_all')
  })
})
