/**
 * What the SDK knows of who is signed in, and the changes it tells its listeners about: one state
 * object per client, replaced (never mutated) on every change so that `getState()` can serve as a
 * snapshot for `useSyncExternalStore`, and listeners called in the order they subscribed.
 */
import type { ClientErrorCode } from './errors'
import type { Merge, SecondFactorMethod, Session, User } from './types'

/**
 * `loading` until the first answer; `signed_out` after a sign-out or a session the server ended;
 * `second_factor_required` between a first factor and its second.
 */
export type SessionStatus =
  'loading' | 'anonymous' | 'account' | 'signed_out' | 'second_factor_required'

/** Nobody known: before the first answer (`loading`), or after a sign-out (`signed_out`). */
export interface NoSessionState {
  status: 'loading' | 'signed_out'
  user: null
  session: null
  lastMerge: null
}

/** A known user: `anonymous` or `account`, so `user` and `session` are never null here. */
export interface UserSessionState<Status extends 'anonymous' | 'account'> {
  status: Status
  user: User & { isAnonymous: Status extends 'anonymous' ? true : false }
  session: Session
  /** The last sign-in's merge report in this browser (cleared when the user leaves). */
  lastMerge: Merge | null
}

/**
 * A first factor was right and the account asks for its second: `challenge` goes to
 * `mfa.verify()`. `user` and `session` are still what this client had before (an anonymous
 * session stays so, its data unmerged, until the code is accepted).
 */
export interface SecondFactorState {
  status: 'second_factor_required'
  user: User | null
  session: Session | null
  lastMerge: Merge | null
  challenge: string
  methods: SecondFactorMethod[]
  /** ISO 8601: after it, sign in again. */
  expiresAt: string
}

/**
 * A snapshot of the client's session; the same object until the next change. A union on
 * `status`, so that checking it narrows `user`.
 * @example
 * const state = client.getState()
 * if (state.status === 'account') greet(state.user.email) // `user` is not null here
 */
export type SessionState =
  NoSessionState | UserSessionState<'anonymous'> | UserSessionState<'account'> | SecondFactorState

/**
 * One change of the session. `remote` marks a change another tab of this browser made, learned
 * through the tab channel. `refreshed`, `superseded` and `revoked` are this tab's own discoveries.
 */
export type SessionChange =
  /** The first answer of this client: the session the browser already had, or a new anonymous one. */
  | { type: 'loaded'; user: User; session: Session; remote: boolean }
  /** A new anonymous user and session replaced the one this client knew. */
  | { type: 'anonymous_started'; user: User; session: Session; remote: boolean }
  /** A sign-in; `merge` reports what an anonymous session carried into the account. */
  | { type: 'signed_in'; user: User; session: Session; merge: Merge | null; remote: boolean }
  | { type: 'signed_out'; everywhere: boolean; remote: boolean }
  /** A first factor was right; the account asks for its second (this tab's own, never told). */
  | {
      type: 'second_factor_required'
      challenge: string
      methods: SecondFactorMethod[]
      expiresAt: string
      remote: false
    }
  /** The credentials were rotated; who is signed in did not change. */
  | { type: 'refreshed'; remote: false }
  /** A sign-in in another tab replaced this tab's credentials; its message brings the state. */
  | { type: 'superseded'; remote: false }
  /** The server ended the session (logout elsewhere, revoked, expired, reused). */
  | { type: 'revoked'; code: ClientErrorCode; remote: false }

/** Called with each change, after `getState()` already shows it. */
export type SessionListener = (change: SessionChange, state: SessionState) => void

export const LOADING_STATE: NoSessionState = Object.freeze({
  status: 'loading',
  user: null,
  session: null,
  lastMerge: null,
})

const SIGNED_OUT_STATE: NoSessionState = Object.freeze({
  status: 'signed_out',
  user: null,
  session: null,
  lastMerge: null,
})

/** The state of a known user; `isAnonymous` decides the status, so the two cannot disagree. */
function knownState(user: User, session: Session, lastMerge: Merge | null): SessionState {
  return user.isAnonymous
    ? { status: 'anonymous', user: { ...user, isAnonymous: true }, session, lastMerge }
    : { status: 'account', user: { ...user, isAnonymous: false }, session, lastMerge }
}

/** The state a change leaves behind, from the state before it. */
export function nextState(state: SessionState, change: SessionChange): SessionState {
  switch (change.type) {
    case 'loaded':
    case 'anonymous_started': {
      const sameUser = state.user?.id === change.user.id
      return knownState(change.user, change.session, sameUser ? state.lastMerge : null)
    }
    case 'signed_in':
      return knownState(change.user, change.session, change.merge)
    case 'second_factor_required': {
      const { challenge, methods, expiresAt } = change
      const { user, session, lastMerge } = state
      return {
        status: 'second_factor_required',
        ...{ user, session, lastMerge, challenge, methods, expiresAt },
      }
    }
    case 'signed_out':
    case 'revoked':
      return SIGNED_OUT_STATE
    case 'refreshed':
    case 'superseded':
      return state
    default: {
      const unhandled: never = change
      throw new Error(`Unhandled session change ${JSON.stringify(unhandled)}`)
    }
  }
}

/** The state and its listeners; `emit` applies a change, then tells every listener in order. */
export interface SessionChanges {
  getState(): SessionState
  subscribe(listener: SessionListener): () => void
  emit(change: SessionChange): void
}

export function createSessionChanges(): SessionChanges {
  let state: SessionState = LOADING_STATE
  // One entry per subscribe call, so the same function subscribed twice is called twice and each
  // unsubscribe removes only its own entry.
  const entries = new Set<{ listener: SessionListener }>()

  return {
    getState: () => state,
    subscribe(listener) {
      const entry = { listener }
      entries.add(entry)
      return () => void entries.delete(entry)
    },
    emit(change) {
      state = nextState(state, change)
      const seen = state
      for (const entry of [...entries]) {
        // A listener that an earlier one unsubscribed during this change is not called.
        if (!entries.has(entry)) continue
        try {
          entry.listener(change, seen)
        } catch (error) {
          // One failing listener must not keep the change from the others; the error still surfaces.
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
  }
}
