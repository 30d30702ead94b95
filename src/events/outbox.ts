/**
 * Publishing session events on the `SESSION_EVENTS` queue through a transactional outbox. The
 * change's D1 batch also writes its events (`eventsOutboxQueries`), so they commit or roll back
 * with it; after the commit `deliverEvents` sends them and deletes their rows. A publish that
 * fails leaves the rows, and the sweep sends them again (`redeliverEvents`): at-least-once, never
 * an event for a rolled-back change, and a failed publish fails no request (the change committed).
 *
 * Why an outbox rather than retrying in the request: an erase cannot be retried by its caller
 * (the user is gone), a sign-in's caller may never retry, and a Worker can be cut off right after
 * the commit. Only D1, written in the same transaction, outlives all three.
 */
import type { Db } from '../platform/db/client'
import {
  deleteEvents,
  insertEventsQueries,
  listEventsBefore,
  type EventOutboxRow,
} from './outbox-queries'
import type { SessionEvent, SessionEventQueue } from '../contract/events'

/** Queues accept at most 100 messages per `sendBatch`. */
const MESSAGES_PER_BATCH = 100

/**
 * The sweep leaves rows younger than this to the request that wrote them, which is publishing
 * them right now; sending them too would only add a duplicate.
 */
export const EVENT_REDELIVERY_DELAY_MS = 60_000

/** Events about to be committed, with the ids of their outbox rows. */
export type PendingEvents = EventOutboxRow[]

/**
 * Outbox rows for `events`; none when the deployment has no queue binding (nobody to tell, and
 * rows nobody would ever deliver).
 */
export function pendingEvents(
  queue: SessionEventQueue | undefined,
  events: readonly SessionEvent[],
  now: number,
): PendingEvents {
  if (!queue) return []
  return events.map((body) => ({ id: crypto.randomUUID(), body: { ...body }, createdAt: now }))
}

/** The statements that write the rows, for the change's own D1 batch. */
export function eventsOutboxQueries(db: Db, pending: PendingEvents) {
  return insertEventsQueries(db, pending)
}

/**
 * Sends committed events and deletes their rows. A failure is logged, not thrown: the rows stay
 * for the sweep. Returns whether everything was sent.
 */
export async function deliverEvents(
  db: Db,
  queue: SessionEventQueue | undefined,
  pending: PendingEvents,
): Promise<boolean> {
  if (!queue || pending.length === 0) return true
  for (let i = 0; i < pending.length; i += MESSAGES_PER_BATCH) {
    const chunk = pending.slice(i, i + MESSAGES_PER_BATCH)
    try {
      await queue.sendBatch(
        chunk.map((row) => ({ body: row.body as unknown as SessionEvent, contentType: 'json' })),
      )
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'session events not published; the sweep sends them again',
          count: pending.length - i,
          error: String(error),
        }),
      )
      return false
    }
    // A failure here leaves sent rows behind: the sweep sends them twice, which at-least-once allows.
    await deleteEvents(
      db,
      chunk.map((row) => row.id),
    )
  }
  return true
}

/**
 * The sweep's step: sends the rows a request left behind (its publish failed, or it was cut off),
 * oldest first, until none are left, the queue fails again, or the budget runs out. Returns how
 * many were sent, and whether any are left that this run could have sent.
 */
export async function redeliverEvents(
  db: Db,
  queue: SessionEventQueue | undefined,
  now: number,
  overBudget: () => boolean,
): Promise<{ delivered: number; done: boolean }> {
  let delivered = 0
  if (!queue) return { delivered, done: true }
  for (;;) {
    if (overBudget()) return { delivered, done: false }
    const rows = await listEventsBefore(db, now - EVENT_REDELIVERY_DELAY_MS, MESSAGES_PER_BATCH)
    if (rows.length === 0) return { delivered, done: true }
    // The queue is still failing: the next run tries again.
    if (!(await deliverEvents(db, queue, rows))) return { delivered, done: true }
    delivered += rows.length
  }
}
