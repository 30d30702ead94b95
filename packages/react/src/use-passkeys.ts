/**
 * The passkey hooks: sign up with a passkey alone, sign in with one (optionally through the
 * browser's autofill), and the account's own passkeys. Each action is a `SessionAction`, so a
 * refused step-up shows as `error.code === 'recent_sign_in_required'`.
 */
import type {
  Passkey,
  PasskeySignInOptions,
  PasskeySignUp,
  SessionClient,
  SignIn,
} from '@edge-session/client'
import { useSessionAction, type SessionAction } from './use-session-action'

const signUp = (client: SessionClient, name?: string) => client.passkeys.signUp({ name })
const signIn = (client: SessionClient, options?: PasskeySignInOptions) =>
  client.signInWithPasskey(options)
const register = (client: SessionClient, name?: string) => client.passkeys.register({ name })
const list = (client: SessionClient) => client.passkeys.list()
const rename = (client: SessionClient, id: string, name: string) => client.passkeys.rename(id, name)
const remove = (client: SessionClient, id: string) => client.passkeys.remove(id)

/** Signs in with a passkey; `run({autofill: true})` waits for a pick from the autofill list. */
export const usePasskeySignIn = (): SessionAction<[options?: PasskeySignInOptions], SignIn> =>
  useSessionAction(signIn)

export interface PasskeyActions {
  /** Creates an account with a passkey alone; anonymous data merges in. */
  signUp: SessionAction<[name?: string], PasskeySignUp>
  /** Adds a passkey to the signed-in account (a sign-in within 5 minutes). */
  register: SessionAction<[name?: string], Passkey>
  list: SessionAction<[], Passkey[]>
  rename: SessionAction<[id: string, name: string], Passkey>
  /** Never the account's last way in (`last_sign_in_method`). */
  remove: SessionAction<[id: string], void>
}

export function usePasskeys(): PasskeyActions {
  return {
    signUp: useSessionAction(signUp),
    register: useSessionAction(register),
    list: useSessionAction(list),
    rename: useSessionAction(rename),
    remove: useSessionAction(remove),
  }
}
