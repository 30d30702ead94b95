// Type tests for the bindings, checked by `npm run typecheck` (tsc -p packages/react) under
// strict and exactOptionalPropertyTypes: each line that must not compile carries an
// expect-error directive, so tsc fails if it ever does compile.
import { useSession, useSignOut } from '../src/index'

export function Greeting() {
  const { status, user, session } = useSession()
  const signOut = useSignOut()
  if (status !== 'anonymous' && status !== 'account') {
    // @ts-expect-error no user is known while loading or after a sign-out
    return <p>{user.id}</p>
  }
  return (
    <p>
      {status === 'account' && user.email}
      {status === 'anonymous' && user.id.startsWith('anon_')}
      {session.id}
      <button onClick={() => void signOut.run({ everywhere: true })}>Everywhere</button>
      <button onClick={() => void signOut.run(true)}>Everywhere, the older form</button>
      <button onClick={() => void signOut.run()}>This session</button>
    </p>
  )
}

export function AccountOnly() {
  const state = useSession()
  if (state.status !== 'account') return null
  const anonymous: false = state.user.isAnonymous
  return <p>{String(anonymous)}</p>
}

export function SecondFactorPrompt() {
  const state = useSession()
  if (state.status !== 'second_factor_required') return null
  const challenge: string = state.challenge
  // @ts-expect-error the user may be unknown while a sign-in waits for its second factor
  const id: string = state.user.id
  return <p>{challenge + id + state.methods.join(',')}</p>
}
