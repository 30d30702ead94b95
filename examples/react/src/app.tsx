// The example's page: who this is, a preference and a document, sign-in with a provider or a magic link with its merge,
// registration confirmed by the mailed code, this user's sessions and sign-out everywhere. Every part follows useSession(), so a sign-in or
// sign-out in another tab shows here without a reload.
import type { SessionClient } from '@edge-session/client'
import {
  useConfirmRegistration,
  useMagicLink,
  useMfa,
  useRegister,
  useSession,
  useSessionClient,
  useSignOut,
} from '@edge-session/react'
import { useState } from 'react'
import { Providers } from './providers'
import { useUserData } from './use-user-data'

const loadPreferences = (client: SessionClient) => client.preferences.get()
const loadDocuments = async (client: SessionClient) => (await client.documents.list()).documents
const loadSessions = (client: SessionClient) => client.sessions()

export function App() {
  const { status, user, session } = useSession()
  const client = useSessionClient()
  return (
    <main data-status={status}>
      <h1>edge-session with React</h1>
      <nav aria-label="Examples">
        <a href="#prebuilt">The prebuilt components</a>
      </nav>
      <section>
        <h2>Who</h2>
        <p>
          <span id="status">{status}</span> <code id="user-id">{user?.id}</code>{' '}
          <span id="user-email">{user?.email}</span>
        </p>
        <p>
          Session <code id="session-id">{session?.id}</code>
        </p>
        {status === 'signed_out' && (
          <button id="start" onClick={() => void client.me()}>
            Start an anonymous session
          </button>
        )}
      </section>
      {user && <Data />}
      {status === 'anonymous' && <Providers />}
      {user && <SignIn />}
      {status === 'anonymous' && <Register />}
      {user && <Sessions />}
    </main>
  )
}

function Data() {
  const client = useSessionClient()
  const preferences = useUserData(loadPreferences)
  const documents = useUserData(loadDocuments)
  const [title, setTitle] = useState('')
  return (
    <section>
      <h2>A preference and a document</h2>
      <button
        id="dark"
        onClick={() => void client.preferences.patch({ theme: 'dark' }).then(preferences.reload)}
      >
        Dark theme
      </button>
      <pre id="preferences">{JSON.stringify(preferences.data)}</pre>
      <input id="doc-title" value={title} onChange={(e) => setTitle(e.target.value)} />
      <button
        id="create-doc"
        onClick={() => void client.documents.create({ title, content: '' }).then(documents.reload)}
      >
        Create document
      </button>
      <ul id="documents">
        {documents.data?.map((d) => (
          <li key={d.id}>{d.title}</li>
        ))}
      </ul>
    </section>
  )
}

function SignIn() {
  const client = useSessionClient()
  const { status, lastMerge } = useSession()
  const { request, verify } = useMagicLink()
  const mfa = useMfa()
  const [email, setEmail] = useState('')
  const [code, setCode] = useState('')
  // Local development only: the link waits in the service's dev outbox (MAILER=outbox).
  const signInFromOutbox = async () => {
    const [message] = await client.dev.outbox(email)
    if (message?.token) await verify.run(message.token)
  }
  // An account with an authenticator app is asked for its code: the next step, not an error.
  const error =
    request.error ??
    (verify.error?.code === 'needs_second_factor' ? null : verify.error) ??
    mfa.verify.error
  return (
    <section>
      <h2>Sign in by magic link</h2>
      {status === 'anonymous' && (
        <p>
          <input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          <button id="send-link" disabled={request.pending} onClick={() => void request.run(email)}>
            Mail me a link
          </button>
          <button id="sign-in" disabled={verify.pending} onClick={() => void signInFromOutbox()}>
            Sign in with the mailed link
          </button>
        </p>
      )}
      {status === 'second_factor_required' && (
        <p>
          <input
            id="factor-code"
            autoComplete="one-time-code"
            aria-label="Code from your authenticator app"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <button
            id="verify-factor"
            disabled={mfa.verify.pending}
            onClick={() => void mfa.verify.run({ code: code.trim() })}
          >
            Verify
          </button>
        </p>
      )}
      {error && (
        <p className="error" id="error">
          {error.code}: {error.message}
        </p>
      )}
      {lastMerge && (
        <p>
          Carried over: <code id="merge">{JSON.stringify(lastMerge.moved)}</code>
        </p>
      )}
    </section>
  )
}

/** Registering keeps this session anonymous; the mailed code, typed here, makes the account. */
function Register() {
  const client = useSessionClient()
  const register = useRegister()
  const confirm = useConfirmRegistration()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const [sent, setSent] = useState(false)
  // Local development only: the confirmation waits in the service's dev outbox (MAILER=outbox).
  const codeFromOutbox = async () => {
    const [message] = await client.dev.outbox(email)
    setCode(/\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(message?.text ?? '')?.[1] ?? '')
  }
  const error = register.error ?? confirm.code.error
  return (
    <section>
      <h2>Create an account</h2>
      <p>
        <input
          id="reg-email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <input
          id="reg-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button
          id="register"
          disabled={register.pending}
          onClick={() =>
            void register.run({ email, password }).then((answer) => setSent(answer !== undefined))
          }
        >
          Register
        </button>
      </p>
      {sent && (
        <p>
          <span id="register-sent">Check your mail, then type its code here.</span>{' '}
          <input id="reg-code" value={code} onChange={(e) => setCode(e.target.value)} />
          <button id="fill-code" onClick={() => void codeFromOutbox()}>
            Code from the dev outbox
          </button>
          <button
            id="confirm"
            disabled={confirm.code.pending}
            onClick={() => void confirm.code.run(email, code)}
          >
            Confirm
          </button>
        </p>
      )}
      {error && (
        <p className="error" id="register-error">
          {error.code}: {error.message}
        </p>
      )}
    </section>
  )
}

function Sessions() {
  const sessions = useUserData(loadSessions)
  const signOut = useSignOut()
  return (
    <section>
      <h2>Sessions</h2>
      <ul id="sessions">
        {sessions.data?.map((s) => (
          <li key={s.id}>
            <code>{s.id}</code> {s.current && '(this browser)'} {s.userAgent}
          </li>
        ))}
      </ul>
      <button
        id="logout-all"
        disabled={signOut.pending}
        onClick={() => void signOut.run({ everywhere: true })}
      >
        Sign out everywhere
      </button>
    </section>
  )
}
