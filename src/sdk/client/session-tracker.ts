/**
 * Keeps one client's session state current and its tabs in step: the client reports what its own
 * calls answered (a load, a new anonymous session, a sign-in, a sign-out, a refresh's outcome);
 * the tracker turns each into a change for the listeners and tells the other tabs. A tab that
 * hears of a change asks the service once who it is now (`GET /v1/me`; with cookie transport the
 * cookies are the browser's, so the answer is the other tab's sign-in). Nobody polls.
 */
import type { RefreshOutcome } from './requester'
import {
  createSessionChanges,
  type SessionChange,
  type SessionListener,
  type SessionState,
} from './session-changes'
import type { TabChannel, TabMessage } from './tab-channel'
import type { SecondFactorRequired, SignIn, UserSession } from './types'

export interface SessionTrackerOptions {
  channel: TabChannel
  /** Who this tab is now, from the service, without reporting it (the tracker does that). */
  fetchMe(): Promise<UserSession>
  /** After another tab signed out: whether this tab still holds credentials of its own. */
  holdsCredentials(): Promise<boolean>
}

export interface SessionTracker {
  getState(): SessionState
  subscribe(listener: SessionListener): () => void
  /** `me()` answered; `started`: the call was to start a new anonymous session. */
  answered(answer: UserSession, started?: boolean): void
  signedIn(answer: SignIn): void
  secondFactorRequired(pending: SecondFactorRequired): void
  signedOut(everywhere: boolean): void
  refreshed(outcome: RefreshOutcome): void
}

const sameSession = (state: SessionState, userId: string, sessionId: string) =>
  state.user?.id === userId && state.session?.id === sessionId

/** The change an answer makes when nothing more is known of how it came about. */
function inferChange(state: SessionState, answer: UserSession, remote: boolean): SessionChange {
  const { user, session } = answer
  if (state.status === 'loading') return { type: 'loaded', user, session, remote }
  if (user.isAnonymous) return { type: 'anonymous_started', user, session, remote }
  return { type: 'signed_in', user, session, merge: null, remote }
}

function messageFor(change: SessionChange): TabMessage | null {
  switch (change.type) {
    case 'loaded':
    case 'anonymous_started':
      return { type: change.type, userId: change.user.id, sessionId: change.session.id }
    case 'signed_in':
      return {
        type: 'signed_in',
        userId: change.user.id,
        sessionId: change.session.id,
        merge: change.merge,
      }
    case 'signed_out':
      return { type: 'signed_out', everywhere: change.everywhere }
    // This tab's own discoveries: the other tabs make them too, or hear of the change behind them.
    case 'refreshed':
    case 'superseded':
    case 'revoked':
    case 'second_factor_required':
      return null
    default: {
      const unhandled: never = change
      throw new Error(`Unhandled session change ${JSON.stringify(unhandled)}`)
    }
  }
}

export function createSessionTracker(options: SessionTrackerOptions): SessionTracker {
  const { channel, fetchMe, holdsCredentials } = options
  const changes = createSessionChanges()
  let subscribers = 0
  let stopListening: (() => void) | null = null
  // Changes heard from other tabs are handled one after another, in the order they arrived.
  let queue: Promise<void> = Promise.resolve()

  function report(change: SessionChange): void {
    changes.emit(change)
    if (change.remote) return
    const message = messageFor(change)
    if (message) channel.post(message)
  }

  /** Asks the service who this tab is now and reports it, unless it is who the state says. */
  async function revalidate(heard: TabMessage): Promise<void> {
    const answer = await fetchMe()
    const state = changes.getState()
    if (sameSession(state, answer.user.id, answer.session.id)) return
    const { user, session } = answer
    if (heard.type !== 'signed_out' && heard.userId === user.id) {
      // What the other tab announced, with the merge report its sign-in answered.
      return report(
        heard.type === 'signed_in'
          ? { type: 'signed_in', user, session, merge: heard.merge, remote: true }
          : { type: heard.type, user, session, remote: true },
      )
    }
    // Not what the other tab announced (its own tokens, or a session that ended meanwhile): this
    // tab's own news, which the others hear of in turn.
    report(inferChange(state, answer, false))
  }

  async function receive(message: TabMessage): Promise<void> {
    const state = changes.getState()
    // Still loading: this tab's own first answer is on its way and will be the current one.
    if (state.status === 'loading') return
    if (message.type === 'signed_out') {
      if (state.status === 'signed_out' || (await holdsCredentials())) return
      return report({ type: 'signed_out', everywhere: message.everywhere, remote: true })
    }
    if (sameSession(state, message.userId, message.sessionId)) return
    return revalidate(message)
  }

  const enqueue = (work: () => Promise<void>) => {
    // A failed look-up is not retried: the tab learns at its next call, as it did before.
    queue = queue.then(work).catch(() => undefined)
  }

  return {
    getState: changes.getState,
    subscribe(listener) {
      const unsubscribe = changes.subscribe(listener)
      // The channel is open only while someone listens: a client on a server opens nothing.
      if (subscribers++ === 0)
        stopListening = channel.listen((message) => enqueue(() => receive(message)))
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        unsubscribe()
        if (--subscribers === 0) {
          stopListening?.()
          stopListening = null
        }
      }
    },
    answered(answer, started = false) {
      const state = changes.getState()
      if (started) {
        const { user, session } = answer
        return report({ type: 'anonymous_started', user, session, remote: false })
      }
      if (sameSession(state, answer.user.id, answer.session.id)) return
      report(inferChange(state, answer, false))
    },
    signedIn({ user, session, merge }) {
      report({ type: 'signed_in', user, session, merge, remote: false })
    },
    secondFactorRequired({ challenge, methods, expiresAt }) {
      report({ type: 'second_factor_required', challenge, methods, expiresAt, remote: false })
    },
    signedOut(everywhere) {
      report({ type: 'signed_out', everywhere, remote: false })
    },
    refreshed(outcome) {
      switch (outcome.type) {
        case 'refreshed':
          return report({ type: 'refreshed', remote: false })
        case 'superseded':
          // The tab that signed in tells this one whose the new credentials are: no look-up here.
          return report({ type: 'superseded', remote: false })
        case 'revoked':
          return report({ type: 'revoked', code: outcome.code, remote: false })
        default: {
          const unhandled: never = outcome
          throw new Error(`Unhandled refresh outcome ${JSON.stringify(unhandled)}`)
        }
      }
    },
  }
}
