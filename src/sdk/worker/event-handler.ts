/**
 * The consumer side of the service's events: a queue handler for another Worker that dispatches
 * each message to its callback and acknowledges it alone, so one failing message is retried
 * without redelivering the ones that succeeded. Delivery is at-least-once: make callbacks
 * idempotent (an upsert or a delete keyed by the user id, not an insert).
 */
import type { UserErasedEvent, UserMergedEvent } from '../../contract/events'

export interface SessionEventHandlers {
  /** Move what you keep under `event.from` to `event.into`. */
  onMerged?: (event: UserMergedEvent, message: Message<unknown>) => unknown
  /** Delete what you keep under `event.userId`. */
  onErased?: (event: UserErasedEvent, message: Message<unknown>) => unknown
  /** Retry delay for a message whose callback threw; the queue's own setting when unset. */
  retryDelaySeconds?: number
}

export interface SessionEventsResult {
  acked: number
  retried: number
  /** Messages that are not session events (another producer on the queue): acked and skipped. */
  skipped: number
}

/**
 * Handles a batch from the service's events queue, message by message.
 * @example export default { queue: (batch) => handleSessionEvents(batch, { onMerged, onErased }) }
 */
export async function handleSessionEvents(
  batch: MessageBatch<unknown>,
  handlers: SessionEventHandlers,
): Promise<SessionEventsResult> {
  const result: SessionEventsResult = { acked: 0, retried: 0, skipped: 0 }
  const retryOptions =
    handlers.retryDelaySeconds === undefined
      ? undefined
      : { delaySeconds: handlers.retryDelaySeconds }
  for (const message of batch.messages) {
    const event = message.body
    try {
      if (isMerged(event)) await handlers.onMerged?.(event, message)
      else if (isErased(event)) await handlers.onErased?.(event, message)
      else result.skipped++
      message.ack()
      result.acked++
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'session event failed',
          id: message.id,
          error: String(error),
        }),
      )
      message.retry(retryOptions)
      result.retried++
    }
  }
  return result
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

/** Whether a message body is a `user.merged` event. */
export function isMerged(value: unknown): value is UserMergedEvent {
  return (
    isRecord(value) &&
    value['type'] === 'user.merged' &&
    typeof value['from'] === 'string' &&
    typeof value['into'] === 'string' &&
    typeof value['at'] === 'string'
  )
}

/** Whether a message body is a `user.erased` event. */
export function isErased(value: unknown): value is UserErasedEvent {
  return (
    isRecord(value) &&
    value['type'] === 'user.erased' &&
    typeof value['userId'] === 'string' &&
    typeof value['at'] === 'string'
  )
}
