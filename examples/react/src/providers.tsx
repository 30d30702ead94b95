// Sign-in with the providers this service is configured for (none: nothing shows), and the
// refusal a provider's return may bring back (`?error=`), built on the hooks.
import { useAuthProviders, useProviderReturn, useProviderSignIn } from '@edge-session/react'

export function Providers() {
  const { offered } = useAuthProviders()
  const signIn = useProviderSignIn()
  const returned = useProviderReturn()
  const error = signIn.error ?? returned.error
  if (!offered?.providers.length && !error) return null
  return (
    <section>
      <h2>Sign in with a provider</h2>
      {offered?.providers.map((p) => (
        <button
          key={p.id}
          data-provider={p.id}
          disabled={signIn.pending}
          onClick={() => void signIn.run(p.id, { redirectTo: location.href })}
        >
          Continue with {p.name}
        </button>
      ))}
      {error && (
        <p role="alert" id="provider-error">
          {error.message}
        </p>
      )}
    </section>
  )
}
