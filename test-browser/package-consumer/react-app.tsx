// A React app's file, type-checked against the packed @edge-session/react and /client with only
// react, react-dom and @types/react installed: DOM lib, strict, exactOptionalPropertyTypes.
import { createSessionClient } from '@edge-session/client'
import {
  SessionProvider,
  useMagicLink,
  useSession,
  useSignIn,
  useSignOut,
  type ClientErrorCode,
  type SessionState,
} from '@edge-session/react'

const client = createSessionClient({ baseUrl: location.origin })

function Who() {
  const { status, user, lastMerge }: SessionState = useSession()
  const signIn = useSignIn()
  const signOut = useSignOut()
  const { request, verify } = useMagicLink()
  const code: ClientErrorCode | undefined = signIn.error?.code ?? verify.error?.code
  if (status === 'loading') return <p>Loading…</p>
  return (
    <div>
      <p>{status === 'account' ? user.email : 'anonymous'}</p>
      {lastMerge && <p>{lastMerge.moved.documents} documents carried over</p>}
      {code === 'invalid_credentials' && <p>Wrong email or password.</p>}
      <button onClick={() => void signIn.run({ email: 'a@example.com', password: 'secret' })}>
        Sign in
      </button>
      <button disabled={request.pending} onClick={() => void request.run('a@example.com')}>
        Mail me a link
      </button>
      <button onClick={() => void signOut.run({ everywhere: true })}>Sign out everywhere</button>
    </div>
  )
}

export const App = () => (
  <SessionProvider client={client}>
    <Who />
  </SessionProvider>
)
