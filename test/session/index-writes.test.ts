/**
 * What an active session costs the one D1 primary: refreshes every five minutes (a tab's access
 * token lasts 300 s) for a simulated hour, with every write to the sessions index and the users
 * table counted by triggers in D1 itself.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runSweep } from '../../src/jobs'
import { listLiveSessions } from '../../src/session/queries'
import { jsonHeaders, runtime, TOKEN_TRANSPORT, unlimitedApi, type Fetcher } from '../helpers'

const SESSIONS = env.INDEX_WRITES_SESSIONS
const REFRESH_EVERY_MS = 5 * 60_000
const HOUR_MS = 60 * 60_000

afterEach(() => {
  vi.useRealTimers()
})

interface Tokens {
  tokens: { refreshToken: string }
  session: { id: string }
  user: { id: string }
}

/** Counts each UPDATE of a sessions or users row from now on, per row. */
async function countIndexWrites() {
  await env.DB.batch([
    env.DB.prepare('create table index_writes (tbl text not null, id text not null)'),
    env.DB.prepare(
      `create trigger count_session_writes after update on sessions
       begin insert into index_writes values ('sessions', new.id); end`,
    ),
    env.DB.prepare(
      `create trigger count_user_writes after update on users
       begin insert into index_writes values ('users', new.id); end`,
    ),
  ])
  return async (tbl: 'sessions' | 'users') => {
    const { results } = await env.DB.prepare(
      'select id, count(*) as n from index_writes where tbl = ? group by id',
    )
      .bind(tbl)
      .all<{ id: string; n: number }>()
    return new Map(results.map((row) => [row.id, row.n]))
  }
}

async function refresh(request: Fetcher, refreshToken: string): Promise<Tokens> {
  const res = await request('/v1/auth/refresh', {
    method: 'POST',
    headers: jsonHeaders(TOKEN_TRANSPORT),
    body: JSON.stringify({ refreshToken }),
  })
  expect(res.status).toBe(200)
  return res.json<Tokens>()
}

describe('the sessions index under steady refreshing', () => {
  it('costs at most one index write per session for an hour of refreshes every five minutes', async () => {
    const request = await unlimitedApi()
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(start)
    const issued = await Promise.all(
      Array.from({ length: SESSIONS }, async () => {
        const res = await request('/v1/sessions/anonymous', {
          method: 'POST',
          headers: TOKEN_TRANSPORT,
        })
        expect(res.status).toBe(201)
        return (await res.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken
      }),
    )
    // The first refresh materialises each session: its rows are inserted, not updated.
    let sessions = await Promise.all(issued.map((token) => refresh(request, token)))
    const writesTo = await countIndexWrites()

    let lastRefresh = start
    for (let at = start + REFRESH_EVERY_MS; at <= start + HOUR_MS; at += REFRESH_EVERY_MS) {
      vi.setSystemTime(at)
      sessions = await Promise.all(sessions.map((s) => refresh(request, s.tokens.refreshToken)))
      lastRefresh = at
    }

    const sessionWrites = await writesTo('sessions')
    const userWrites = await writesTo('users')
    // One line for bench/index-writes.mjs, which runs this with 100 sessions.
    const total = (writes: Map<string, number>) => [...writes.values()].reduce((a, b) => a + b, 0)
    console.log(
      `INDEX_WRITES ${JSON.stringify({
        sessions: SESSIONS,
        refreshesEach: HOUR_MS / REFRESH_EVERY_MS,
        sessionRowWrites: total(sessionWrites),
        userRowWrites: total(userWrites),
        mostForOneSession: Math.max(...sessionWrites.values()),
      })}`,
    )
    expect(new Set(sessions.map((s) => s.session.id)).size).toBe(SESSIONS)
    // One each, at the hour mark: at most one an hour, and the counting sees the writes there are.
    for (const { session, user } of sessions) {
      expect(sessionWrites.get(session.id), session.id).toBe(1)
      expect(userWrites.get(user.id), user.id).toBe(1)
    }
    // "Last seen" in the session list is still true to the hour.
    const { db } = await runtime()
    for (const { session, user } of sessions) {
      const [row] = await listLiveSessions(db, user.id, lastRefresh)
      expect(row?.id).toBe(session.id)
      expect(lastRefresh - row!.lastSeenAt).toBeLessThan(HOUR_MS)
    }
  })

  it('lists, limits and sweeps by a row that trails its object by up to the hour', async () => {
    const request = await unlimitedApi()
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(start)
    const res = await request('/v1/sessions/anonymous', {
      method: 'POST',
      headers: TOKEN_TRANSPORT,
    })
    const first = await refresh(
      request,
      (await res.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken,
    )
    // Refreshed at 59 minutes: the object's idle expiry slides, the row's stays where it was.
    vi.setSystemTime(start + 59 * 60_000)
    const later = await refresh(request, first.tokens.refreshToken)
    const rt = await runtime()
    const idleMs = rt.settings.SESSION_IDLE_TTL * 1000
    // Half an hour past the row's expiry, the object still has 29 minutes to live.
    const at = start + idleMs + 30 * 60_000
    vi.setSystemTime(at)
    const [row] = await listLiveSessions(rt.db, later.user.id, at)
    expect(row?.id).toBe(later.session.id)
    expect(row!.expiresAt).toBeLessThan(at)
    await runSweep(rt, { trigger: 'admin' })
    const kept = await env.DB.prepare('select count(*) as n from sessions where id = ?')
      .bind(later.session.id)
      .first<{ n: number }>()
    expect(kept?.n).toBe(1)
    await refresh(request, later.tokens.refreshToken)
  })
})
