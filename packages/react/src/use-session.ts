/**
 * `useSession()`: the client's session state, re-rendering on every change this tab or another
 * tab of the browser makes, through `useSyncExternalStore` (no tearing in concurrent rendering).
 */
import type { SessionState } from '@edge-session/client'
import { useSyncExternalStore } from 'react'
import { useSessionClient } from './session-provider'

// What a server render and the hydrating first render both show: nothing is known there yet.
const SERVER_STATE: SessionState = Object.freeze({
  status: 'loading',
  user: null,
  session: null,
  lastMerge: null,
})
const getServerState = () => SERVER_STATE

/**
 * `{ status, user, session, lastMerge }`; `status` is `loading`, `anonymous`, `account`,
 * `signed_out` or `second_factor_required` (then `challenge` and `methods` say what to answer, with
 * `useMfa().verify`), and narrows the rest: `user` and `session` are set exactly when a user is
 * known (`anonymous`, `account`).
 * @example
 * const { status, user } = useSession()
 * return status === 'account' ? <p>Signed in as {user.email}</p> : <SignInForm />
 */
export function useSession(): SessionState {
  const client = useSessionClient()
  return useSyncExternalStore(client.subscribe, client.getState, getServerState)
}
