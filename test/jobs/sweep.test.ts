import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/worker'
import { runSweep } from '../../src/jobs/sweep'
import { createStoredSession, refreshWithToken, runtime } from '../helpers'

const DAY = 86_400_000
const ABANDONED = 2_500
// Ending 2,500 session objects takes tens of seconds on a busy 2-core machine.

/**
 * Seeds `count` anonymous users last seen `ageDays` ago, each with a document, preferences and a
 * revoked or expired session row, through SQL: seeding 2,500 through the API would take minutes.
 */
async function seedAnonymousUsers(prefix: string, count: number, ageDays: number) {
  const at = Date.now() - ageDays * DAY
  const ids = `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})`
  const id = (kind: string) => `'${kind}_' || '${prefix}' || printf('%024d', i)`
  await env.DB.batch([
    env.DB.prepare(
      `${ids} insert into users (id, is_anonymous, role, created_at, last_seen_at) select ${id('anon')}, 1, 'user', ?1, ?1 from n`,
    ).bind(at),
    env.DB.prepare(
      `${ids} insert into documents (id, user_id, title, content, created_at, updated_at) select ${id('doc')}, ${id('anon')}, 't', 'c', ?1, ?1 from n`,
    ).bind(at),
    env.DB.prepare(
      `${ids} insert into preferences (user_id, data, updated_at) select ${id('anon')}, '{"theme":"dark"}', ?1 from n`,
    ).bind(at),
    env.DB.prepare(
      `${ids} insert into sessions (id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at) select ${id('sess')}, ${id('anon')}, ?1, ?1, ?1 + 1000, ?1 + 1000 from n`,
    ).bind(at),
    env.DB.prepare(
      `${ids} insert into audit_events (user_id, type, at, detail) select ${id('anon')}, 'session.created', ?1, '{}' from n`,
    ).bind(at),
  ])
}

const countOf = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n

describe('the sweep', () => {
  it('removes 2,500 abandoned anonymous users with their data across runs, and nothing it must keep', async () => {
    await seedAnonymousUsers('aa', ABANDONED, 40)
    // Kept: an account as old as the abandoned users, and an anonymous user with a live session.
    await env.DB.prepare(
      "insert into users (id, email, is_anonymous, role, created_at, last_seen_at) values ('usr_old0000000000000000000001', 'old@example.com', 0, 'user', ?1, ?1)",
    )
      .bind(Date.now() - 400 * DAY)
      .run()
    // Kept: an anonymous user made long ago but seen yesterday, whose session rows are gone.
    await env.DB.prepare(
      "insert into users (id, is_anonymous, role, created_at, last_seen_at) values ('anon_seen0000000000000000001', 1, 'user', ?1, ?2)",
    )
      .bind(Date.now() - 400 * DAY, Date.now() - DAY)
      .run()
    const live = await createStoredSession()
    await env.DB.prepare('update users set last_seen_at = ? where id = ?')
      .bind(Date.now() - 40 * DAY, live.userId)
      .run()

    const rt = await runtime()
    const runs = []
    for (let i = 0; i < 50; i++) {
      const run = await runSweep(rt, { trigger: 'cron', budgetMs: 150 })
      runs.push(run)
      if (run.complete) break
    }
    expect(runs.length).toBeGreaterThan(1)
    expect(runs.at(-1)!.complete).toBe(true)
    expect(runs.reduce((sum, r) => sum + (r.counts.anonymousUsers ?? 0), 0)).toBe(ABANDONED)

    expect(await countOf("select count(*) as n from users where id like 'anon_aa%'")).toBe(0)
    for (const table of ['documents', 'preferences', 'sessions', 'audit_events']) {
      expect(
        await countOf(`select count(*) as n from ${table} where user_id like 'anon_aa%'`),
      ).toBe(0)
    }
    expect(
      await countOf("select count(*) as n from users where id = 'usr_old0000000000000000000001'"),
    ).toBe(1)
    expect(
      await countOf("select count(*) as n from users where id = 'anon_seen0000000000000000001'"),
    ).toBe(1)
    expect((await refreshWithToken(live.refreshToken)).status).toBe(200)
    expect(await countOf('select count(*) as n from sweep_runs')).toBe(runs.length)

    // The cron handler itself, right after: nothing left to delete.
    await worker.scheduled(createScheduledController({ cron: '*/15 * * * *' }), env)
    const last = await env.DB.prepare(
      'select trigger, counts, complete from sweep_runs order by id desc limit 1',
    ).first<{ trigger: string; counts: string; complete: number }>()
    expect(last?.trigger).toBe('cron')
    expect(last?.complete).toBe(1)
    const counts = JSON.parse(last!.counts) as Record<string, number>
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0)
  }, 120_000)

  it('deletes expired and revoked sessions, used or expired links, old tombstones and old events', async () => {
    const now = Date.now()
    await env.DB.batch([
      env.DB.prepare(
        "insert into sessions (id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at, revoked_at) values ('sess_revoked0000000000000001', 'usr_x', ?1, ?1, ?2, ?2, ?1)",
      ).bind(now - DAY, now + DAY),
      env.DB.prepare(
        "insert into magic_links (token_hash, email, created_at, expires_at) values ('expired-link', 'a@example.com', ?1, ?1)",
      ).bind(now - DAY),
      env.DB.prepare(
        "insert into magic_links (token_hash, email, created_at, expires_at) values ('fresh-link', 'a@example.com', ?1, ?2)",
      ).bind(now, now + 3_600_000),
      env.DB.prepare(
        "insert into users (id, is_anonymous, role, created_at, last_seen_at, merged_into, merged_at) values ('anon_tomb00000000000000000001', 1, 'user', ?1, ?1, 'usr_x', ?1)",
      ).bind(now - 31 * DAY),
      env.DB.prepare(
        "insert into audit_events (user_id, type, at, detail) values ('usr_x', 'auth.login', ?1, '{}')",
      ).bind(now - 91 * DAY),
    ])
    const { counts } = await runSweep(await runtime(), { trigger: 'admin' })
    expect(counts).toMatchObject({ sessions: 1, magicLinks: 1, tombstones: 1, auditEvents: 1 })
    expect(
      await countOf("select count(*) as n from magic_links where token_hash = 'fresh-link'"),
    ).toBe(1)
  })

  it('deletes an authenticator app left unconfirmed for over a day, from the cron handler', async () => {
    const now = Date.now()
    const factor = env.DB.prepare(
      "insert into second_factors (user_id, totp_secret_sealed, created_at, confirmed_at) values (?1, 'sealed', ?2, ?3)",
    )
    await env.DB.batch([
      factor.bind('usr_unconfirmed00000000000001', now - 2 * DAY, null),
      // Kept: an enrolment begun an hour ago, and an app confirmed long ago.
      factor.bind('usr_enrolling0000000000000001', now - 3_600_000, null),
      factor.bind('usr_confirmed0000000000000001', now - 400 * DAY, now - 400 * DAY),
    ])

    await worker.scheduled(createScheduledController({ cron: '*/15 * * * *' }), env)
    const last = await env.DB.prepare(
      'select counts, complete from sweep_runs order by id desc limit 1',
    ).first<{ counts: string; complete: number }>()
    expect(last?.complete).toBe(1)
    expect(JSON.parse(last!.counts)).toMatchObject({ unconfirmedFactors: 1 })
    const kept = await env.DB.prepare('select user_id from second_factors order by user_id').all()
    expect(kept.results.map((row) => row.user_id)).toEqual([
      'usr_confirmed0000000000000001',
      'usr_enrolling0000000000000001',
    ])
  })
})
