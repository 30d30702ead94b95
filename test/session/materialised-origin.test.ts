/**
 * A materialised session's row records the request that brought it back (its first refresh), and
 * only that one: later refreshes send the session object no origin at all (reading it means
 * reading `request.cf`, which the runtime builds in full on first access).
 */
import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, TOKEN_TRANSPORT } from '../helpers'

function refreshFrom(refreshToken: string, userAgent: string) {
  return api('/v1/auth/refresh', {
    method: 'POST',
    headers: {
      ...TOKEN_TRANSPORT,
      'Content-Type': 'application/json',
      'User-Agent': userAgent,
      'CF-Connecting-IP': '203.0.113.9',
    },
    body: JSON.stringify({ refreshToken }),
  })
}

describe('the origin a materialised session records', () => {
  it('is its first refresh, not a later one', async () => {
    const issued = await createTokenSession()
    const first = await refreshFrom(issued.refreshToken, 'first-refresh-agent')
    expect(first.status).toBe(200)
    const { tokens } = await first.json<{ tokens: { refreshToken: string; accessToken: string } }>()
    const later = await refreshFrom(tokens.refreshToken, 'later-refresh-agent')
    expect(later.status).toBe(200)
    const listed = await api('/v1/sessions', { headers: bearer(tokens.accessToken) })
    const { sessions } = await listed.json<{
      sessions: { id: string; userAgent: string | null; ip: string | null }[]
    }>()
    expect(sessions).toEqual([
      expect.objectContaining({
        id: issued.sessionId,
        userAgent: 'first-refresh-agent',
        ip: '203.0.113.9',
      }),
    ])
  })
})
