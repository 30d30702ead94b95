/**
 * Publishing session events on the `SESSION_EVENTS` queue, always after the D1 batch they report
 * has committed. A publish that fails throws, so the caller's request fails and its retry (which
 * finds the committed state) publishes again: at-least-once, never an event for a rolled-back change.
 */
import type { SessionEvent } from '../session-events'

export type SessionEventQueue = Queue<SessionEvent>

/** Queues accept at most 100 messages per `sendBatch`. */
const MESSAGES_PER_BATCH = 100

/** Sends the events; a deployment without the queue binding publishes nothing. */
export async function publishSessionEvents(
  queue: SessionEventQueue | undefined,
  events: readonly SessionEvent[],
): Promise<void> {
  if (!queue) return
  for (let i = 0; i < events.length; i += MESSAGES_PER_BATCH) {
    const chunk = events.slice(i, i + MESSAGES_PER_BATCH)
    await queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })))
  }
}
