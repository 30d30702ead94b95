import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  createAccount,
  createStoredSession,
  createTokenSession,
  expectError,
  TOKEN_TRANSPORT,
  type TokenSession,
  uniqueEmail,
} from '../helpers'

interface AuditEvent {
  type: string
  at: string
  sessionId: string | null
  ip: string | null
  userAgent: string | null
  detail: Record<string, unknown>
}

const listEvents = (accessToken: string, query = '') =>
  api(`/v1/me/events${query}`, { headers: bearer(accessToken) })

async function eventsOf(accessToken: string, query = ''): Promise<AuditEvent[]> {
  const res = await listEvents(accessToken, query)
  expect(res.status).toBe(200)
  return (await res.json<{ events: AuditEvent[] }>()).events
}

describe('GET /v1/me/events', () => {
  it("shows the session's creation, when it came back, with where it came from", async () => {
    const from = { 'cf-connecting-ip': '203.0.113.7', 'User-Agent': 'events/1.0' }
    const res = await api('/v1/sessions/anonymous', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, ...from },
    })
    const issued = await res.json<{
      session: { id: string }
      tokens: { accessToken: string; refreshToken: string }
    }>()
    // Issued only: nothing is recorded until the session comes back.
    expect(await eventsOf(issued.tokens.accessToken)).toEqual([])
    const refreshed = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, ...from, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: issued.tokens.refreshToken }),
    })
    expect(refreshed.status).toBe(200)
    const body = {
      session: issued.session,
      tokens: (await refreshed.json<{ tokens: { accessToken: string } }>()).tokens,
    }
    expect(await eventsOf(body.tokens.accessToken)).toEqual([
      {
        type: 'session.created',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        sessionId: body.session.id,
        ip: '203.0.113.7',
        userAgent: 'events/1.0',
        detail: expect.any(Object),
      },
    ])
  })

  it('lists newest first, includes the anonymous trail after sign-up, and honours limit', async () => {
    const anon = await createTokenSession()
    const res = await createAccount(uniqueEmail(), 'correct horse battery', anon)
    expect(res.status).toBe(200)
    const { tokens } = await res.json<{ tokens: { accessToken: string } }>()
    const events = await eventsOf(tokens.accessToken)
    expect(events.map((e) => e.type).sort()).toEqual(
      ['auth.merged', 'auth.registered', 'session.created'].sort(),
    )
    // The issued session was recorded when it came back (here, by the sign-up itself); the
    // event says when it was issued, before anything else happened in it.
    const created = events.find((e) => e.type === 'session.created')!
    expect(created.detail.issuedAt).toBeLessThanOrEqual(
      Math.min(...events.map((e) => Date.parse(e.at))),
    )
    const times = events.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    for (const event of events) expect(event.sessionId).toBe(anon.sessionId)

    expect(await eventsOf(tokens.accessToken, '?limit=1')).toEqual(events.slice(0, 1))
  })

  it("shows none of another user's events", async () => {
    const a = await createStoredSession()
    const b: TokenSession = await createStoredSession()
    const events = await eventsOf(b.accessToken, '?limit=100')
    expect(events.length).toBeGreaterThan(0)
    expect(events.every((e) => e.sessionId === b.sessionId)).toBe(true)
    expect(events.some((e) => e.sessionId === a.sessionId)).toBe(false)
  })

  it.each(['?limit=0', '?limit=101', '?limit=x', '?limit=-1'])(
    'answers 400 naming query.limit for %s',
    async (query) => {
      const s = await createTokenSession()
      const res = await listEvents(s.accessToken, query)
      const message = (await res.clone().json<{ error: { message: string } }>()).error.message
      await expectError(res, 400, 'invalid_request')
      expect(message).toContain('query.limit')
    },
  )

  it('answers 401 without a session', async () => {
    await expectError(await api('/v1/me/events'), 401, 'unauthenticated')
  })
})
