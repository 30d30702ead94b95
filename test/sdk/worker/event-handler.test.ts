import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { handleSessionEvents } from '../../../src/sdk/worker/event-handler'
import {
  api,
  createAccount,
  bearer,
  createStoredSession,
  receivedBy,
  type TokenSession,
  uniqueEmail,
} from '../../helpers'

const ADMIN = bearer('test-admin-token-0123456789')

/** Registers from `from`, proving its session with its refresh token so that it merges. */
async function registerFrom(from: TokenSession): Promise<string> {
  const res = await createAccount(uniqueEmail(), 'a long enough passphrase 42', from)
  expect(res.status).toBe(200)
  return (await res.json<{ user: { id: string } }>()).user.id
}

describe('session events on the queue, consumed by another Worker', () => {
  it('delivers user.merged when an anonymous session signs up', async () => {
    const s = await createStoredSession()
    const into = await registerFrom(s)
    const [event] = await receivedBy((e) => e.type === 'user.merged' && e.from === s.userId)
    expect(event).toEqual({
      type: 'user.merged',
      from: s.userId,
      into,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      attempts: 1,
    })
  })

  it('delivers user.erased when an admin erases a user', async () => {
    const s = await createStoredSession()
    const res = await api(`/v1/admin/users/${s.userId}`, { method: 'DELETE', headers: ADMIN })
    expect(res.status).toBe(204)
    const [event] = await receivedBy((e) => e.type === 'user.erased' && e.userId === s.userId)
    expect(event).toMatchObject({ type: 'user.erased', userId: s.userId, attempts: 1 })
  })

  it('retries a message whose handler threw, and delivers it on the next attempt', async () => {
    const s = await createStoredSession()
    await env.EVENTS_CONSUMER.fetch('https://events.test/fail', { method: 'POST', body: s.userId })
    await registerFrom(s)
    const events = await receivedBy((e) => e.type === 'user.merged' && e.from === s.userId)
    expect(events).toEqual([expect.objectContaining({ attempts: 2 })])
  })
})

/** A batch as the runtime hands it over, with spies on each message's ack and retry. */
function fakeBatch(bodies: unknown[]) {
  const messages = bodies.map((body, i) => ({
    id: `m${i}`,
    timestamp: new Date(),
    body,
    attempts: 1,
    ack: vi.fn(),
    retry: vi.fn(),
  }))
  const batch = {
    messages,
    queue: 'edge-session-events',
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: vi.fn(),
    retryAll: vi.fn(),
  }
  return { batch: batch as unknown as MessageBatch<unknown>, messages }
}

describe('handleSessionEvents', () => {
  const at = '2026-12-01T00:00:00.000Z'
  const merged = { type: 'user.merged', from: 'anon_a', into: 'usr_b', at }
  const erased = { type: 'user.erased', userId: 'usr_c', at }

  it('acks each message alone and retries only the one whose handler threw', async () => {
    const { batch, messages } = fakeBatch([merged, erased, { ...merged, from: 'anon_bad' }])
    const onMerged = vi.fn((e: { from: string }) => {
      if (e.from === 'anon_bad') throw new Error('boom')
    })
    const onErased = vi.fn()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const result = await handleSessionEvents(batch, { onMerged, onErased, retryDelaySeconds: 30 })
    errors.mockRestore()
    expect(result).toEqual({ acked: 2, retried: 1, skipped: 0 })
    expect(onMerged).toHaveBeenCalledWith(merged, messages[0])
    expect(onErased).toHaveBeenCalledWith(erased, messages[1])
    expect(messages.map((m) => [m.ack.mock.calls.length, m.retry.mock.calls.length])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
    ])
    expect(messages[2]!.retry).toHaveBeenCalledWith({ delaySeconds: 30 })
  })

  it('acks and skips bodies that are not session events, without calling a handler', async () => {
    const { batch, messages } = fakeBatch([null, 'text', { type: 'user.merged', from: 1 }, {}])
    const onMerged = vi.fn()
    const result = await handleSessionEvents(batch, { onMerged })
    expect(result).toEqual({ acked: 4, retried: 0, skipped: 4 })
    expect(onMerged).not.toHaveBeenCalled()
    for (const m of messages) expect(m.ack).toHaveBeenCalledOnce()
  })

  it('acks an event that has no handler: the consumer chose not to care', async () => {
    const { batch, messages } = fakeBatch([erased])
    expect(await handleSessionEvents(batch, {})).toEqual({ acked: 1, retried: 0, skipped: 0 })
    expect(messages[0]!.ack).toHaveBeenCalledOnce()
  })
})
