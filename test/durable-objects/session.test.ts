import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SessionDO } from '../../durable-objects/session'
import { createStoredSession, expectError, refreshWithToken, sessionObject } from '../helpers'

const stubFor = sessionObject

interface RefreshBody {
  tokens: { refreshToken: string; accessToken: string }
  session: { id: string }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('refresh rotation', () => {
  it('five concurrent refreshes with the same token all succeed and yield one new token', async () => {
    const s = await createStoredSession()
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => refreshWithToken(s.refreshToken)),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    const bodies = await Promise.all(responses.map((r) => r.json<RefreshBody>()))
    const next = new Set(bodies.map((b) => b.tokens.refreshToken))
    expect(next.size).toBe(1)
    const [newToken] = [...next]
    expect(newToken).not.toBe(s.refreshToken)
    // The one new token is live and no reuse was recorded.
    expect((await refreshWithToken(newToken!)).status).toBe(200)
    const reuse = await env.DB.prepare(
      "select count(*) as n from audit_events where session_id = ? and type = 'session.reuse_detected'",
    )
      .bind(s.sessionId)
      .first<{ n: number }>()
    expect(reuse?.n).toBe(0)
  })

  it('keeps the session alive across 5 tabs x 10 rounds of concurrent refreshes', async () => {
    const s = await createStoredSession()
    let token = s.refreshToken
    for (let round = 0; round < 10; round++) {
      const responses = await Promise.all(Array.from({ length: 5 }, () => refreshWithToken(token)))
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
      const tokens = new Set(
        (await Promise.all(responses.map((r) => r.json<RefreshBody>()))).map(
          (b) => b.tokens.refreshToken,
        ),
      )
      expect(tokens.size).toBe(1)
      token = [...tokens][0]!
    }
  })

  it('returns the same current token for the previous one within the grace window', async () => {
    const s = await createStoredSession()
    const first = await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 9_000)
    const again = await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()
    expect(again.tokens.refreshToken).toBe(first.tokens.refreshToken)
  })

  it('revokes the session when the previous token comes back after the grace window', async () => {
    const s = await createStoredSession()
    const first = await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 11_000)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'refresh_token_reused')
    // The attacker's replay cost the legitimate holder the session too: RFC 9700 §4.14.2.
    await expectError(
      await refreshWithToken(first.tokens.refreshToken),
      401,
      'invalid_refresh_token',
    )
    const row = await env.DB.prepare('select revoked_at from sessions where id = ?')
      .bind(s.sessionId)
      .first<{ revoked_at: number | null }>()
    expect(row?.revoked_at).not.toBeNull()
    const events = await env.DB.prepare(
      "select user_id from audit_events where session_id = ? and type = 'session.reuse_detected'",
    )
      .bind(s.sessionId)
      .all<{ user_id: string }>()
    expect(events.results).toEqual([{ user_id: s.userId }])
  })

  it('revokes on a token two rotations old, even inside the grace window', async () => {
    const s = await createStoredSession()
    const one = await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()
    expect((await refreshWithToken(one.tokens.refreshToken)).status).toBe(200)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'refresh_token_reused')
  })

  it('stores only hashes: no refresh secret appears in the object storage', async () => {
    const s = await createStoredSession()
    const next = await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()
    const secrets = [s.refreshToken, next.tokens.refreshToken].map((t) => t.split('.')[1]!)
    await runInDurableObject(stubFor(s.sessionId), (_instance: SessionDO, state) => {
      const stored = JSON.stringify([...state.storage.kv.list()])
      for (const secret of secrets) expect(stored).not.toContain(secret)
    })
  })
})

describe('idle expiry', () => {
  it('fires the idle alarm and forgets the session', async () => {
    const s = await createStoredSession()
    const stub = stubFor(s.sessionId)
    // Age the stored session past its idle expiry, then let the real alarm handler run.
    await runInDurableObject(stub, (_instance: SessionDO, state) => {
      const record = state.storage.kv.get<Record<string, number>>('session')!
      state.storage.kv.put('session', { ...record, idleExpiresAt: Date.now() - 1 })
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    await runInDurableObject(stub, async (_instance: SessionDO, state) => {
      expect(state.storage.kv.get('session')).toBeUndefined()
      // An anonymous session leaves a tombstone (a time, nothing else) while an access token of
      // it may still verify; its own alarm removes it, and then nothing is left.
      expect([...state.storage.kv.list()]).toEqual([['ended', { until: expect.any(Number) }]])
      const tombstone = state.storage.kv.get<{ until: number }>('ended')!
      expect(await state.storage.getAlarm()).toBe(tombstone.until)
      state.storage.kv.put('ended', { until: Date.now() - 1 })
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    await runInDurableObject(stub, async (_instance: SessionDO, state) => {
      expect([...state.storage.kv.list()]).toEqual([])
      expect(await state.storage.getAlarm()).toBeNull()
    })
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
  })

  it('re-arms the alarm when the session was refreshed since it was set', async () => {
    const s = await createStoredSession()
    const stub = stubFor(s.sessionId)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    await runInDurableObject(stub, async (_instance: SessionDO, state) => {
      expect(state.storage.kv.get('session')).toBeDefined()
      expect(await state.storage.getAlarm()).toBeGreaterThan(Date.now())
    })
  })

  it('leaves the alarm where it is on refresh; the early alarm waits for the new expiry', async () => {
    const s = await createStoredSession()
    const stub = stubFor(s.sessionId)
    const alarmOf = () =>
      runInDurableObject(stub, (_instance: SessionDO, state) => state.storage.getAlarm())
    const armed = await alarmOf()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 60_000)
    const refreshed = await refreshWithToken(s.refreshToken)
    expect(refreshed.status).toBe(200)
    // One storage write per rotation: the record, not the alarm as well.
    expect(await alarmOf()).toBe(armed)
    const expiry = (await stub.status(Date.now()))!.expiresAt
    expect(expiry).toBeGreaterThan(armed!)
    // The alarm, when it comes at the old expiry, finds the session live and waits for the new one.
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await alarmOf()).toBe(expiry)
    const { tokens } = await refreshed.json<{ tokens: { refreshToken: string } }>()
    expect((await refreshWithToken(tokens.refreshToken)).status).toBe(200)
  })

  it('slides the idle expiry on refresh', async () => {
    const s = await createStoredSession()
    const before = await stubFor(s.sessionId).status(Date.now())
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 60_000)
    expect((await refreshWithToken(s.refreshToken)).status).toBe(200)
    const after = await stubFor(s.sessionId).status(Date.now())
    expect(after!.expiresAt - before!.expiresAt).toBeGreaterThanOrEqual(60_000)
  })

  it('updates the D1 index at most once an hour, whatever the refresh rate', async () => {
    const s = await createStoredSession()
    const lastSeen = async () =>
      (await env.DB.prepare('select last_seen_at as t from sessions where id = ?')
        .bind(s.sessionId)
        .first<{ t: number }>())!.t
    const created = await lastSeen()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(created + 59 * 60_000)
    let token = (await (await refreshWithToken(s.refreshToken)).json<RefreshBody>()).tokens
      .refreshToken
    expect(await lastSeen()).toBe(created)
    vi.setSystemTime(created + 61 * 60_000)
    token = (await (await refreshWithToken(token)).json<RefreshBody>()).tokens.refreshToken
    expect(await lastSeen()).toBe(created + 61 * 60_000)
    expect(token).toBeTruthy()
  })

  it('refuses a refresh once the session has expired', async () => {
    const s = await createStoredSession()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 2_592_000_000 + 1_000)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
  })
})

describe('RPC surface', () => {
  const internals = [
    'materialise',
    'materialiseForSignIn',
    'read',
    'write',
    'locked',
    'rotate',
    'runtime',
    'settings',
    'keys',
    'tombstone',
    'forget',
    'leaveTombstone',
    'rememberLink',
    'resolveAccount',
    'repeatOfLastSignIn',
    'openFirstSecret',
    'issuedLifetime',
  ]

  it('refuses every method that is not part of the RPC surface', async () => {
    const s = await createStoredSession()
    const stub = stubFor(s.sessionId) as unknown as Record<string, (...args: unknown[]) => unknown>
    const refusals = await Promise.all(
      internals.map(async (name) => {
        try {
          await stub[name]!()
          return `${name}: answered`
        } catch (error) {
          return `${name}: ${String(error)}`
        }
      }),
    )
    for (const [i, refusal] of refusals.entries())
      expect(refusal).toMatch(new RegExp(`^${internals[i]}: TypeError: .*does not implement`))
    // The session is untouched by the attempts.
    expect((await refreshWithToken(s.refreshToken)).status).toBe(200)
  })

  it('still answers every method of the RPC surface', async () => {
    const s = await createStoredSession()
    const view = await stubFor(s.sessionId).status(Date.now())
    expect(view).toMatchObject({ sessionId: s.sessionId, userId: s.userId })
  })
})

describe('stored record versions', () => {
  it('refreshes a session whose record was stored before records had a version', async () => {
    const s = await createStoredSession()
    await runInDurableObject(stubFor(s.sessionId), (_instance: SessionDO, state) => {
      const record = state.storage.kv.get<Record<string, unknown>>('session')!
      const { version: _v, issuedHashes: _i, retiredAt: _r, lastSignIn: _l, ...rest } = record
      const { issuedUntil: _u, firstHashes: _f, ...old } = rest
      state.storage.kv.put('session', old)
    })
    const next = await refreshWithToken(s.refreshToken)
    expect(next.status).toBe(200)
    await runInDurableObject(stubFor(s.sessionId), (_instance: SessionDO, state) => {
      expect(state.storage.kv.get<{ version: number }>('session')!.version).toBe(2)
    })
    const { tokens } = await next.json<RefreshBody>()
    expect((await refreshWithToken(tokens.refreshToken)).status).toBe(200)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'refresh_token_reused')
  })
})
