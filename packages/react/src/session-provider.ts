/**
 * The provider that hands a session client to the hooks below it, and loads the session once it
 * is mounted in a browser (never during a server render: effects do not run there).
 */
import type { SessionClient } from '@edge-session/client'
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  type ReactElement,
  type ReactNode,
} from 'react'

const SessionClientContext = createContext<SessionClient | null>(null)

export interface SessionProviderProps {
  client: SessionClient
  /** Ask the service who this is once mounted (anonymous-first: starts a session). Default true. */
  load?: boolean | undefined
  children?: ReactNode
}

// One load per client, however many providers or Strict Mode's second effect ask: two first
// visits racing would start two anonymous users.
const loads = new WeakMap<SessionClient, Promise<unknown>>()

/**
 * Makes `client` the one `useSession()` and the action hooks use.
 * @example
 * const client = createSessionClient({ baseUrl: location.origin })
 * createRoot(root).render(<SessionProvider client={client}><App /></SessionProvider>)
 */
export function SessionProvider({
  client,
  load = true,
  children,
}: SessionProviderProps): ReactElement {
  useEffect(() => {
    if (!load || client.getState().status !== 'loading' || loads.has(client)) return
    // A failed load leaves the state `loading`; the app's next call or a reload tries again.
    loads.set(
      client,
      client.me().catch(() => loads.delete(client)),
    )
  }, [client, load])
  return createElement(SessionClientContext.Provider, { value: client }, children)
}

/** The client of the nearest `SessionProvider`. */
export function useSessionClient(): SessionClient {
  const client = useContext(SessionClientContext)
  if (!client) throw new Error('useSessionClient() needs a <SessionProvider client={…}> above it.')
  return client
}
