import { OpenAPIHono } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { issuedTokens } from '../../src/http/transport'
import { userContext, type UserContextOptions } from '../../src/session/user-context'
import { createApp } from '../../src/app'
import type { AppEnv } from '../../src/http/app-env'
import { api, bearer, createTokenSession, expectError, runtime, TOKEN_TRANSPORT } from '../helpers'

/** The real app with one probe route behind the middleware in the given mode. */
async function appWith(options: UserContextOptions) {
  const app = await createApp(await runtime())
  const probe = new OpenAPIHono<AppEnv>()
  probe.get('/probe', userContext(options), (c) => c.json({ user: c.var.user, ...issuedTokens(c) }))
  app.route('/v1', probe)
  return (init: RequestInit = {}) => app.request('https://auth.test/v1/probe', init)
}

describe('userContext modes', () => {
  it('optional: no credentials means no user and no new session', async () => {
    const probe = await appWith({ mode: 'optional' })
    const res = await probe()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ user: null })
    expect(res.headers.getSetCookie()).toHaveLength(0)
  })

  it('optional: a bearer token gives the user', async () => {
    const s = await createTokenSession()
    const res = await (await appWith({ mode: 'optional' }))({ headers: bearer(s.accessToken) })
    expect(await res.json()).toEqual({
      user: { id: s.userId, email: null, isAnonymous: true, role: 'user', sessionId: s.sessionId },
    })
  })

  it('anonymous-ok: creates a session and hands its tokens over in token transport', async () => {
    const res = await (await appWith({ mode: 'anonymous-ok' }))({ headers: TOKEN_TRANSPORT })
    const body = await res.json<{ user: { id: string }; tokens: { refreshToken: string } }>()
    expect(body.user.id).toMatch(/^anon_/)
    expect(body.tokens.refreshToken).toMatch(/^sess_/)
  })

  it('required: 401 unauthenticated with no credentials', async () => {
    await expectError(await (await appWith({ mode: 'required' }))(), 401, 'unauthenticated')
  })

  it('fresh: accepts a live session', async () => {
    const s = await createTokenSession()
    const res = await (
      await appWith({ mode: 'required', fresh: true })
    )({ headers: bearer(s.accessToken) })
    expect(res.status).toBe(200)
  })

  it('fresh: sees a revocation at once, while the plain check trusts the JWT until it expires', async () => {
    const s = await createTokenSession()
    expect(
      (await api('/v1/auth/logout', { method: 'POST', headers: bearer(s.accessToken) })).status,
    ).toBe(204)
    const plain = await (await appWith({ mode: 'required' }))({ headers: bearer(s.accessToken) })
    expect(plain.status).toBe(200)
    const fresh = await (
      await appWith({ mode: 'required', fresh: true })
    )({ headers: bearer(s.accessToken) })
    await expectError(fresh, 401, 'session_revoked')
  })
})
