import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SWEEP_RULES, runSweep } from '../../src/jobs/sweep'
import { eventsRetention } from '../../src/events'
import { identityRetention } from '../../src/identity'
import { jobsRetention } from '../../src/jobs'
import { mailRetention } from '../../src/platform/mail/retention'
import { sessionRetention } from '../../src/session'
import { userDataRetention } from '../../src/user-data'
import { runtime } from '../helpers'

const DAY = 86_400_000

/** Every rule a slice exports, by the slice (or platform part) that owns the tables. */
const sliceRules = [
  sessionRetention,
  identityRetention,
  eventsRetention,
  userDataRetention,
  jobsRetention,
  mailRetention,
].flatMap((rules) => Object.values(rules))

/** What the sweep counts itself, beside the rules: signing keys and re-sealing. */
const SWEEP_OWN_COUNTS = ['keysRotated', 'keysRetired', 'resealed']

/** One thing for each rule to remove (or, for the outbox, send), through SQL. */
async function seedOneOfEach() {
  const now = Date.now()
  const recent = `with recursive n(i) as (select 1 union all select i + 1 from n where i < 201)`
  await env.DB.batch([
    env.DB.prepare('insert into event_outbox (id, body, created_at) values (?1, ?2, ?3)').bind(
      crypto.randomUUID(),
      JSON.stringify({ type: 'user.erased', userId: 'anon_gone0000000000000000001', at: '' }),
      now - 2 * 60_000,
    ),
    env.DB.prepare(
      "insert into users (id, is_anonymous, role, created_at, last_seen_at) values ('anon_idle0000000000000000001', 1, 'user', ?1, ?1)",
    ).bind(now - 40 * DAY),
    env.DB.prepare(
      "insert into sessions (id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at, revoked_at) values ('sess_revoked0000000000000001', 'usr_x', ?1, ?1, ?2, ?2, ?1)",
    ).bind(now - DAY, now + DAY),
    env.DB.prepare(
      "insert into magic_links (token_hash, email, created_at, expires_at) values ('expired-link', 'a@example.com', ?1, ?1)",
    ).bind(now - DAY),
    env.DB.prepare(
      "insert into users (id, is_anonymous, role, created_at, last_seen_at, merged_into, merged_at) values ('anon_tomb00000000000000000001', 1, 'user', ?1, ?1, 'usr_x', ?1)",
    ).bind(now - 31 * DAY),
    env.DB.prepare(
      "insert into merges (from_user_id, into_user_id, report, created_at) values ('anon_tomb00000000000000000001', 'usr_x', '{}', ?1)",
    ).bind(now - 31 * DAY),
    env.DB.prepare(
      "insert into audit_events (user_id, type, at, detail) values ('usr_x', 'auth.login', ?1, '{}')",
    ).bind(now - 91 * DAY),
    // One more than QUOTA_EVENTS_ANON's default of 200, all recent.
    env.DB.prepare(
      `${recent} insert into audit_events (user_id, type, at, detail) select 'anon_busy0000000000000000001', 'session.created', ?1 + i, '{}' from n`,
    ).bind(now - 60_000),
    env.DB.prepare(
      "insert into outbox (to_email, subject, text, sent_at) values ('a@example.com', 's', 't', ?1)",
    ).bind(now - 2 * DAY),
    env.DB.prepare(
      "insert into login_attempts (email, failures, last_failed_at, locked_until) values ('a@example.com', 3, ?1, ?1)",
    ).bind(now - 2 * DAY),
    env.DB.prepare(
      "insert into second_factors (user_id, totp_secret_sealed, created_at) values ('usr_x', 'sealed', ?1)",
    ).bind(now - 2 * DAY),
    env.DB.prepare(
      "insert into sweep_runs (trigger, started_at, duration_ms, counts, complete) values ('cron', ?1, 1, '{}', 1)",
    ).bind(now - 91 * DAY),
    env.DB.prepare(
      "insert into oauth_records (user_id, server_id, verifier_sealed, verifier_expires_at, updated_at) values ('usr_x', 'server', 'sealed', ?1, ?1)",
    ).bind(now - 60_000),
  ])
}

describe("the sweep's rules", () => {
  it('are exactly the rules the slices export, each once', () => {
    expect(SWEEP_RULES).toHaveLength(sliceRules.length)
    expect(new Set(SWEEP_RULES)).toEqual(new Set(sliceRules))
  })

  it("are counted under the slices' rule names, each having removed what it owns", async () => {
    await seedOneOfEach()
    const { counts, complete } = await runSweep(await runtime(), { trigger: 'admin' })
    expect(complete).toBe(true)
    const ruleNames = sliceRules.flatMap((rule) => rule.counts)
    expect(Object.keys(counts).sort()).toEqual([...SWEEP_OWN_COUNTS, ...ruleNames].sort())
    for (const rule of sliceRules) expect(counts[rule.counts[0]], rule.counts[0]).toBeGreaterThan(0)
  })
})
