// Issue #12: an anonymous session is only issued (tokens, nothing stored) until it comes back.
import { listDurableObjectIds } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createAnalytics } from '../../src/platform/limits/analytics'
import { createLimiters } from '../../src/platform/limits/rate-limits'
import { limitBindingsOf } from '../../src/platform/runtime'
import {
  BASE,
  runtime,
  TOKEN_TRANSPORT,
  api,
  bearer,
  CookieJar,
  countRows,
  createTokenSession,
  expectError,
  jsonHeaders,
  refreshWithToken,
  type TokenSession,
} from '../helpers'

/** Rows in every table of the schema, by table. */
async function tableCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations'",
  ).all<{ name: string }>()
  const counts: Record<string, number> = {}
  for (const { name } of results)
    counts[name] = await countRows(`select count(*) as n from "${name}"`)
  return counts
}

const objectCount = async () => (await listDurableObjectIds(env.SESSIONS)).length

/** A visitor from the automatic session of `GET /v1/me`, in a cookie jar. */
async function cookieVisitor(): Promise<CookieJar> {
  const jar = new CookieJar()
  expect((await jar.fetch('/v1/me')).status).toBe(200)
  return jar
}

/** The refresh token a cookie visitor holds, as a token client would present it. */
const refreshTokenOf = (jar: CookieJar) => jar.cookies.get('__Host-session')!

describe('issued sessions cost nothing until they come back', () => {
  it('60 visitors used once add no row and no session object; 10 refreshed add 10 users and 10 sessions', async () => {
    // One-time set-up (the signing key, the key check) happens on the first request of all.
    await createTokenSession()
    const before = await tableCounts()
    const objectsBefore = await objectCount()

    const tokenVisitors: TokenSession[] = []
    const cookieVisitors: CookieJar[] = []
    for (let i = 0; i < 30; i++) {
      const visitor = await createTokenSession()
      // Used once: a read with its access token.
      expect((await api('/v1/me', { headers: bearer(visitor.accessToken) })).status).toBe(200)
      tokenVisitors.push(visitor)
      cookieVisitors.push(await cookieVisitor())
    }
    expect(await tableCounts()).toEqual(before)
    expect(await objectCount()).toBe(objectsBefore)
    // And nothing at all in D1 for any of them, by id.
    const ids = tokenVisitors.map((v) => v.userId)
    expect(
      await countRows(
        `select count(*) as n from audit_events where user_id in (${ids.map(() => '?').join(',')})`,
        ...ids,
      ),
    ).toBe(0)

    const returning = [
      ...tokenVisitors.slice(0, 5).map((v) => v.refreshToken),
      ...cookieVisitors.slice(0, 5).map(refreshTokenOf),
    ]
    for (const token of returning) expect((await refreshWithToken(token)).status).toBe(200)
    const after = await tableCounts()
    expect(after.users).toBe(before.users! + 10)
    expect(after.sessions).toBe(before.sessions! + 10)
    expect(await objectCount()).toBe(objectsBefore + 10)
  })

  it("refuses a logged-out issued session's refresh token, for good", async () => {
    const visitor = await createTokenSession()
    const out = await api('/v1/auth/logout', {
      method: 'POST',
      headers: jsonHeaders(bearer(visitor.accessToken)),
    })
    expect(out.status).toBe(204)
    await expectError(await refreshWithToken(visitor.refreshToken), 401, 'invalid_refresh_token')
    await expectError(await refreshWithToken(visitor.refreshToken), 401, 'invalid_refresh_token')
  })

  it('refuses a first-use refresh token moved to another session id', async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    const secretOfA = a.refreshToken.slice(a.refreshToken.indexOf('.') + 1)
    await expectError(
      await refreshWithToken(`${b.sessionId}.${secretOfA}`),
      401,
      'invalid_refresh_token',
    )
    // Neither session was harmed: both still refresh.
    expect((await refreshWithToken(a.refreshToken)).status).toBe(200)
    expect((await refreshWithToken(b.refreshToken)).status).toBe(200)
  })
})

describe('an issued session reads as a new user and materialises on its first write', () => {
  it('answers reads from the token: me, its own session, and empty data, with nothing stored', async () => {
    const visitor = await createTokenSession()
    const get = (path: string) => api(path, { headers: bearer(visitor.accessToken) })
    const me = await (await get('/v1/me')).json<{ user: { id: string }; session: { id: string } }>()
    expect(me.user.id).toBe(visitor.userId)
    expect(me.session.id).toBe(visitor.sessionId)
    const sessions = await get('/v1/sessions')
    expect(sessions.status).toBe(200)
    expect(
      (await sessions.json<{ sessions: Array<{ id: string; current: boolean }> }>()).sessions,
    ).toEqual([expect.objectContaining({ id: visitor.sessionId, current: true })])
    for (const path of [
      '/v1/me/preferences',
      '/v1/documents',
      '/v1/me/secrets',
      '/v1/oauth',
      '/v1/me/events',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(200)
      const body = await res.json<Record<string, unknown>>()
      const values = Object.values(body).flatMap((v) =>
        Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [],
      )
      expect(values, path).toEqual([])
    }
    expect(await countRows('select count(*) as n from users where id = ?', visitor.userId)).toBe(0)
    expect(await objectIdsOf(visitor.sessionId)).toBe(false)
  })

  it('makes the user row exist on the first write, audits session.created then, and keeps the first refresh working', async () => {
    const visitor = await createTokenSession()
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
        visitor.sessionId,
      ),
    ).toBe(0)
    const written = await api('/v1/documents', {
      method: 'POST',
      headers: jsonHeaders(bearer(visitor.accessToken)),
      body: JSON.stringify({ title: 'first', content: 'x' }),
    })
    expect(written.status).toBe(201)
    expect(await countRows('select count(*) as n from users where id = ?', visitor.userId)).toBe(1)
    expect(
      await countRows('select count(*) as n from documents where user_id = ?', visitor.userId),
    ).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
        visitor.sessionId,
      ),
    ).toBe(1)
    // The object stored the session from the access token; the first secret is still current.
    const refreshed = await refreshWithToken(visitor.refreshToken)
    expect(refreshed.status).toBe(200)
    const listed = await api('/v1/documents', { headers: bearer(visitor.accessToken) })
    expect((await listed.json<{ documents: unknown[] }>()).documents).toHaveLength(1)
    expect(
      await countRows('select count(*) as n from sessions where id = ?', visitor.sessionId),
    ).toBe(1)
  })

  it('never materialises a session issued before the kill switch', async () => {
    const visitor = await createTokenSession()
    await env.DB.prepare(
      "insert into control (key, value, updated_at) values ('revoked_before', ?, ?) on conflict(key) do update set value = excluded.value",
    )
      .bind(String(Date.now() + 1000), Date.now())
      .run()
    try {
      await expectError(await refreshWithToken(visitor.refreshToken), 401, 'invalid_refresh_token')
      expect(await countRows('select count(*) as n from users where id = ?', visitor.userId)).toBe(
        0,
      )
    } finally {
      await env.DB.prepare("delete from control where key = 'revoked_before'").run()
    }
  })
})

/** Whether the session's object has ever been created (the vitest pool lists those). */
async function objectIdsOf(sessionId: string): Promise<boolean> {
  const id = env.SESSIONS.idFromName(sessionId).toString()
  return (await listDurableObjectIds(env.SESSIONS)).some((known) => known.toString() === id)
}

describe('counts kept out of D1', () => {
  it('counts an issued session and a 429 in Analytics Engine, with no D1 row for either', async () => {
    const rt = await runtime()
    const points: AnalyticsEngineDataPoint[] = []
    const analytics = createAnalytics({
      writeDataPoint: (point) => void (point && points.push(point)),
    })
    const refusing = { limit: async () => ({ success: false }) }
    const limiting = createLimiters(
      { ...limitBindingsOf(env), anonymousPerIp: refusing },
      rt.settings,
      analytics,
    )
    const auditRows = () => countRows('select count(*) as n from audit_events')
    const before = await auditRows()
    const counted = await createApp({ ...rt, analytics })
    const issued = await counted.request(
      `${BASE}/v1/sessions/anonymous`,
      { method: 'POST', headers: TOKEN_TRANSPORT },
      env,
    )
    expect(issued.status).toBe(201)
    const limited = await createApp({ ...rt, analytics, limits: limiting })
    const refused = await limited.request(
      `${BASE}/v1/sessions/anonymous`,
      { method: 'POST', headers: TOKEN_TRANSPORT },
      env,
    )
    await expectError(refused, 429, 'rate_limited')
    expect(points.map((p) => p.blobs)).toEqual([
      ['session.issued', ''],
      ['rate_limit.hit', 'anonymousPerIp'],
    ])
    expect(await auditRows()).toBe(before)
  })
})
