import { and, eq, inArray, sql } from 'drizzle-orm'
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createDb } from '../../../src/platform/db/client'
import { createId } from '../../../src/platform/ids'
import { mergeAnonymousUser } from '../../../src/identity/merge/merge'
import type { MergeMover } from '../../../src/user-data/mover'
import { mergeMovers } from '../../../src/user-data/movers'
import { createRuntime } from '../../../src/platform/runtime'
import { putSecret } from '../../../src/user-data/secrets/service'
import { countRows, runtime } from '../../helpers'
import { EVENT_REDELIVERY_DELAY_MS, redeliverEvents } from '../../../src/events/outbox'
import type { SessionEvent, SessionEventQueue } from '../../../src/contract/events'

const testNotes = sqliteTable('test_notes', {
  userId: text('user_id').notNull(),
  key: text('key').notNull(),
  value: text('value').notNull(),
})
const noSuchTable = sqliteTable('no_such_table', { id: text('id') })

// A test-only kind of user data, keyed like preferences: the account's key wins a conflict.
const notesMover: MergeMover = {
  kind: 'preferences',
  async plan({ db, from, into }) {
    const clashes = await db.all<{ key: string }>(
      sql`select a.key from test_notes a join test_notes b on a.key = b.key where a.user_id = ${from} and b.user_id = ${into}`,
    )
    const [count] = await db.all<{ n: number }>(
      sql`select count(*) as n from test_notes where user_id = ${from}`,
    )
    const n = count?.n ?? 0
    return {
      statements: [
        db.delete(testNotes).where(
          and(
            eq(testNotes.userId, from),
            inArray(
              testNotes.key,
              clashes.map((c) => c.key),
            ),
          ),
        ),
        db.update(testNotes).set({ userId: into }).where(eq(testNotes.userId, from)),
      ],
      moved: n - clashes.length,
      conflicts: clashes.map((c) => c.key),
    }
  },
}

const failingMover: MergeMover = {
  kind: null,
  async plan({ db }) {
    return { statements: [db.insert(noSuchTable).values({ id: 'x' })], moved: 0, conflicts: [] }
  },
}

const db = createDb(env.DB)
const { userKeys, settings: quotas } = await runtime()

async function seedPair() {
  const from = createId('anon')
  const into = createId('usr')
  const sessionId = createId('sess')
  const now = Date.now()
  await env.DB.batch([
    env.DB.prepare(
      'insert into users (id, is_anonymous, role, created_at, last_seen_at) values (?, 1, ?, ?, ?)',
    ).bind(from, 'user', now, now),
    env.DB.prepare(
      'insert into users (id, email, is_anonymous, role, created_at, last_seen_at) values (?, ?, 0, ?, ?, ?)',
    ).bind(into, `${into}@example.com`, 'user', now, now),
    env.DB.prepare(
      'insert into sessions (id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at) values (?, ?, ?, ?, ?, ?)',
    ).bind(sessionId, from, now, now, now + 1e9, now + 1e9),
    env.DB.prepare(
      'insert into test_notes (user_id, key, value) values (?, ?, ?), (?, ?, ?), (?, ?, ?)',
    ).bind(from, 'theme', 'dark', from, 'lang', 'fr', into, 'theme', 'light'),
    env.DB.prepare(
      "insert into audit_events (user_id, type, at, detail) values (?, 'session.created', ?, '{}')",
    ).bind(from, now),
  ])
  return { from, into, sessionId, now, userKeys }
}

const notesOf = async (userId: string) =>
  (
    await env.DB.prepare('select key, value from test_notes where user_id = ? order by key')
      .bind(userId)
      .all<{ key: string; value: string }>()
  ).results

beforeAll(async () => {
  await env.DB.exec(
    'create table if not exists test_notes (user_id text not null, key text not null, value text not null, primary key (user_id, key))',
  )
})

describe('mergeAnonymousUser', () => {
  it('moves rows, keeps the account value on conflict, tombstones the anonymous user and rebinds the session row', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const { report, performed } = await mergeAnonymousUser(
      db,
      { from, into, sessionId, now, userKeys, quotas },
      [...mergeMovers, notesMover],
    )
    expect(performed).toBe(true)
    expect(report).toEqual({
      from,
      into,
      moved: { documents: 0, preferences: 1, secrets: 0, oauth: 0 },
      conflicts: [{ kind: 'preferences', key: 'theme' }],
    })
    expect(await notesOf(into)).toEqual([
      { key: 'lang', value: 'fr' },
      { key: 'theme', value: 'light' },
    ])
    expect(await notesOf(from)).toEqual([])
    const tomb = await env.DB.prepare('select merged_into from users where id = ?')
      .bind(from)
      .first<{ merged_into: string }>()
    expect(tomb?.merged_into).toBe(into)
    const session = await env.DB.prepare('select user_id from sessions where id = ?')
      .bind(sessionId)
      .first<{ user_id: string }>()
    expect(session?.user_id).toBe(into)
    const events = await env.DB.prepare('select count(*) as n from audit_events where user_id = ?')
      .bind(into)
      .first<{ n: number }>()
    expect(events?.n).toBe(1)
  })

  it('returns the stored report on a retry and moves nothing twice', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const first = await mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, [
      notesMover,
    ])
    // New anonymous rows after the merge must not be swept into the account by a retry.
    await env.DB.prepare('insert into test_notes (user_id, key, value) values (?, ?, ?)')
      .bind(from, 'late', 'x')
      .run()
    const second = await mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, [
      notesMover,
    ])
    expect(second).toEqual({ report: first.report, performed: false, mergedAt: now })
    expect((await notesOf(into)).map((n) => n.key)).toEqual(['lang', 'theme'])
  })

  it('merges once when ten merges of the same user race', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, [notesMover]),
      ),
    )
    expect(results.filter((r) => r.performed)).toHaveLength(1)
    for (const r of results) expect(r.report).toEqual(results[0]!.report)
    expect(await notesOf(into)).toHaveLength(2)
  })

  it('keeps a secret whose encryption key is not configured and refuses the merge', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const elsewhere = await createRuntime({ ...env, ENCRYPTION_KEY: btoa('9'.repeat(32)) })
    await putSecret(elsewhere, from, 'api-key', 'not lost')
    await expect(
      mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, mergeMovers),
    ).rejects.toMatchObject({ status: 503, code: 'misconfigured' })
    expect(await countRows('select count(*) as n from secrets where user_id = ?', from)).toBe(1)
  })

  it('leaves nothing half-moved when the batch fails', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    await expect(
      mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, [
        notesMover,
        failingMover,
      ]),
    ).rejects.toThrow()
    expect(await notesOf(from)).toHaveLength(2)
    expect(await notesOf(into)).toEqual([{ key: 'theme', value: 'light' }])
    const tomb = await env.DB.prepare('select merged_into from users where id = ?')
      .bind(from)
      .first<{ merged_into: string | null }>()
    expect(tomb?.merged_into).toBeNull()
    expect(
      await env.DB.prepare('select 1 from merges where from_user_id = ?').bind(from).first(),
    ).toBeNull()
    // And the operation can be retried to success.
    const retry = await mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas }, [
      notesMover,
    ])
    expect(retry.performed).toBe(true)
    expect(await notesOf(into)).toHaveLength(2)
  })
})

/** A queue that records what is sent, for checking when events are published. */
function recordingQueue() {
  const sent: SessionEvent[] = []
  const queue = {
    async sendBatch(messages: Iterable<MessageSendRequest<SessionEvent>>) {
      for (const m of messages) sent.push(m.body)
    },
  } as unknown as SessionEventQueue
  return { queue, sent }
}

describe('mergeAnonymousUser and the user.merged event', () => {
  it('publishes the merge once its batch has committed', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const { queue, sent } = recordingQueue()
    await mergeAnonymousUser(db, { from, into, sessionId, now, userKeys, quotas, events: queue }, [
      notesMover,
    ])
    expect(sent).toEqual([{ type: 'user.merged', from, into, at: new Date(now).toISOString() }])
  })

  it('publishes nothing when the batch rolls back, and nothing twice on a retry', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const { queue, sent } = recordingQueue()
    const input = { from, into, sessionId, now, userKeys, quotas, events: queue }
    await expect(mergeAnonymousUser(db, input, [notesMover, failingMover])).rejects.toThrow()
    expect(sent).toEqual([])
    expect(await outboxRowsNaming(from)).toBe(0)
    await mergeAnonymousUser(db, input, [notesMover])
    // A retry after a lost answer finds the stored merge; its event is already sent.
    await mergeAnonymousUser(db, { ...input, now: now + 5_000 }, [notesMover])
    expect(sent).toEqual([{ type: 'user.merged', from, into, at: new Date(now).toISOString() }])
    expect(await outboxRowsNaming(from)).toBe(0)
  })

  it('commits a merge whose publish failed and keeps its event for the sweep', async () => {
    const { from, into, sessionId, now, userKeys } = await seedPair()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { performed } = await mergeAnonymousUser(
      db,
      { from, into, sessionId, now, userKeys, quotas, events: failingQueue() },
      [notesMover],
    )
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('not published'))
    errors.mockRestore()
    expect(performed).toBe(true)
    expect(await outboxRowsNaming(from)).toBe(1)

    // The sweep leaves a fresh row to its request, then sends it once the request is long over.
    const { queue, sent } = recordingQueue()
    const rt = await runtime()
    expect(await redeliverEvents(db, queue, now + 1_000, () => false)).toEqual({
      delivered: 0,
      done: true,
    })
    const later = now + EVENT_REDELIVERY_DELAY_MS + 1
    expect((await redeliverEvents(rt.db, queue, later, () => false)).delivered).toBeGreaterThan(0)
    expect(sent).toContainEqual({
      type: 'user.merged',
      from,
      into,
      at: new Date(now).toISOString(),
    })
    expect(await outboxRowsNaming(from)).toBe(0)
  })
})

/** A queue binding that is down: every send throws. */
function failingQueue() {
  return {
    async sendBatch() {
      throw new Error('queue unavailable')
    },
  } as unknown as SessionEventQueue
}

const outboxRowsNaming = (userId: string) =>
  countRows('select count(*) as n from event_outbox where body like ?', `%${userId}%`)
