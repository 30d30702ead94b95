import { afterEach, describe, expect, it, vi } from 'vitest'
import { runSweep } from '../../src/jobs/sweep'
import { eraseUsers } from '../../src/identity/erasure'
import type { SessionEventQueue } from '../../src/contract/events'
import { EVENT_REDELIVERY_DELAY_MS } from '../../src/events/outbox'
import { countRows, createStoredSession, receivedBy, runtime } from '../helpers'

/** A queue binding that is down: every send throws (fault injection). */
const failingQueue = {
  async sendBatch() {
    throw new Error('queue unavailable')
  },
} as unknown as SessionEventQueue

const outboxRowsNaming = (userId: string) =>
  countRows('select count(*) as n from event_outbox where body like ?', `%${userId}%`)

afterEach(() => {
  vi.useRealTimers()
})

describe('an erase whose user.erased publish fails', () => {
  it('still erases, keeps the event in the outbox, and the sweep delivers it to the consumer', async () => {
    const rt = await runtime()
    // Materialised (it came back once): a user row and a session for the erase to remove.
    const s = await createStoredSession()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await eraseUsers({ ...rt, events: failingQueue }, [s.userId])).toEqual({
      users: 1,
      sessions: 1,
    })
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('not published'))
    errors.mockRestore()
    expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(0)
    // The outbox row is the one thing left that names the user, until it is delivered.
    expect(await outboxRowsNaming(s.userId)).toBe(1)

    // The cron's sweep, a while later, with the queue working again (the real local queue).
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + EVENT_REDELIVERY_DELAY_MS + 1_000)
    const { counts } = await runSweep(rt, { trigger: 'cron' })
    vi.useRealTimers()
    expect(counts.eventsDelivered).toBeGreaterThanOrEqual(1)
    const [event] = await receivedBy((e) => e.type === 'user.erased' && e.userId === s.userId)
    expect(event).toMatchObject({ type: 'user.erased', userId: s.userId, attempts: 1 })
    expect(await outboxRowsNaming(s.userId)).toBe(0)
  })

  it('publishes at once when the queue works, leaving no outbox row', async () => {
    const rt = await runtime()
    const s = await createStoredSession()
    await eraseUsers(rt, [s.userId])
    await receivedBy((e) => e.type === 'user.erased' && e.userId === s.userId)
    expect(await outboxRowsNaming(s.userId)).toBe(0)
  })
})
