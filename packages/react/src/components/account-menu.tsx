/**
 * `<AccountMenu/>`: who is signed in, their sessions (ending any other one), and sign-out here or
 * everywhere. A disclosure (a button with `aria-expanded` and the panel it controls), not an ARIA
 * menu: its contents are a list and buttons that keep their native keyboard behaviour. Unstyled;
 * every part carries an `es-account-menu…` class and `data-es-…` attributes.
 */
import type { Session } from '@edge-session/client'
import { useCallback, useEffect, useId, useState, type ReactElement } from 'react'
import { useSession } from '../use-session'
import { useSessionAction, useSignOut } from '../use-session-action'
import { classNames } from './class-names'

export interface AccountMenuProps {
  /** What the button says for an anonymous user. Default `Guest`. */
  guestLabel?: string | undefined
  /** Added to the root element's `es-account-menu` class. */
  className?: string | undefined
}

const listSessions = (client: { sessions(): Promise<Session[]> }) => client.sessions()
const endSession = (client: { revokeSession(id: string): Promise<void> }, id: string) =>
  client.revokeSession(id)

export function AccountMenu({
  guestLabel = 'Guest',
  className,
}: AccountMenuProps): ReactElement | null {
  const state = useSession()
  const [open, setOpen] = useState(false)
  const panelId = useId()
  const signOut = useSignOut()
  if (state.status !== 'anonymous' && state.status !== 'account') return null
  const who = state.status === 'account' ? (state.user.email ?? state.user.id) : guestLabel
  return (
    <div
      className={classNames('es-account-menu', className)}
      data-es-status={state.status}
      data-es-open={open}
    >
      <button
        type="button"
        className="es-account-menu__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        {who}
      </button>
      <div id={panelId} className="es-account-menu__panel" hidden={!open}>
        <p className="es-account-menu__who">
          {state.status === 'account' ? `Signed in as ${who}` : 'Not signed in: a guest session'}
        </p>
        {open && <SessionList />}
        <button
          type="button"
          className="es-account-menu__sign-out"
          disabled={signOut.pending}
          onClick={() => void signOut.run()}
        >
          Sign out
        </button>
        <button
          type="button"
          className="es-account-menu__sign-out-everywhere"
          disabled={signOut.pending}
          onClick={() => void signOut.run({ everywhere: true })}
        >
          Sign out everywhere
        </button>
        <div className="es-account-menu__error" role="alert">
          {signOut.error?.message}
        </div>
      </div>
    </div>
  )
}

/** This user's sessions, loaded when the panel opens, each other one with a button to end it. */
function SessionList(): ReactElement {
  const load = useSessionAction(listSessions)
  const end = useSessionAction(endSession)
  const [sessions, setSessions] = useState<Session[] | null>(null)
  const headingId = useId()
  const { run } = load
  const reload = useCallback(() => void run().then((list) => list && setSessions(list)), [run])
  useEffect(reload, [reload])
  return (
    <section
      className="es-account-menu__sessions"
      aria-labelledby={headingId}
      aria-busy={load.pending}
    >
      <h2 id={headingId} className="es-account-menu__heading">
        Sessions
      </h2>
      <ul className="es-account-menu__session-list">
        {sessions?.map((s) => (
          <li key={s.id} className="es-account-menu__session" data-es-current={s.current}>
            <span>{s.current ? 'This browser' : (s.userAgent ?? 'Unknown device')}</span>{' '}
            <time dateTime={s.lastSeenAt}>{new Date(s.lastSeenAt).toLocaleString()}</time>
            {!s.current && (
              <button
                type="button"
                className="es-account-menu__end-session"
                disabled={end.pending}
                aria-label={`End the session on ${s.userAgent ?? 'an unknown device'}`}
                onClick={() => void end.run(s.id).then(reload)}
              >
                End
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="es-account-menu__error" role="alert">
        {(load.error ?? end.error)?.message}
      </div>
    </section>
  )
}
