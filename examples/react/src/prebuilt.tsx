// The prebuilt components (/react/#prebuilt): <SignIn/> while anonymous (and while it asks for a
// second factor), <AccountMenu/> for
// whoever is known. Styled only through their CSS hooks (index.html's rules on es-… classes).
import { AccountMenu, SignIn, useSession } from '@edge-session/react'

export function Prebuilt() {
  const { status, user } = useSession()
  return (
    <main data-status={status}>
      <header className="bar">
        <h1>Prebuilt components</h1>
        <AccountMenu />
      </header>
      <nav aria-label="Examples">
        <a href="#">The example built on the hooks</a>
      </nav>
      {(status === 'anonymous' || status === 'second_factor_required') && (
        <section aria-labelledby="sign-in-heading">
          <h2 id="sign-in-heading">Sign in</h2>
          <SignIn />
        </section>
      )}
      {status === 'account' && (
        <p>
          Welcome, <span id="signed-in-email">{user.email}</span>.
        </p>
      )}
    </main>
  )
}
