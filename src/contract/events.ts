/**
 * The events this service publishes on its queue (`SESSION_EVENTS`) for other Workers, so they can
 * move or delete what they keep per user. Types only: the publisher (src/events/) and the
 * consumer helper (src/sdk/worker/) both build on it. Delivery is at-least-once: a consumer may see an
 * event twice, or after a later one, and must handle it idempotently.
 */

/** An anonymous user was merged into an account: move what you keyed by `from` to `into`. */
export interface UserMergedEvent {
  type: 'user.merged'
  /** The anonymous user (`anon_…`), now a tombstone. */
  from: string
  /** The account (`usr_…`). */
  into: string
  /** When the merge committed, ISO-8601. */
  at: string
}

/** A user and everything the service held for them was erased: delete what you keep for them. */
export interface UserErasedEvent {
  type: 'user.erased'
  userId: string
  /** When the erase committed, ISO-8601. */
  at: string
}

export type SessionEvent = UserMergedEvent | UserErasedEvent

/** The `SESSION_EVENTS` queue binding as the publisher sees it. */
export type SessionEventQueue = Queue<SessionEvent>
