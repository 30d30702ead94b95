/**
 * The SDK's passkey calls: each ceremony asks the service for options (the challenge stays in the
 * session's object), runs the browser's WebAuthn through @simplewebauthn/browser, and posts the
 * answer back from the same session.
 */
import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser'
import type { Requester } from '../requester'
import type { Passkey, PasskeySignUp, SignIn } from '../types'

const segment = (value: string) => encodeURIComponent(value)

export interface PasskeySignInOptions {
  /**
   * Conditional UI: wait for the person to pick a passkey in the autofill list of an input with
   * `autocomplete="username webauthn"`, instead of opening a dialog now.
   */
  autofill?: boolean | undefined
}

/** `client.passkeys` and `client.signInWithPasskey`; `signIn` reports a sign-in to the tabs. */
export function createPasskeyCalls(
  call: Requester['call'],
  signIn: <T extends SignIn>(answer: Promise<T>) => Promise<T>,
) {
  const creationOptions = async (path: string) =>
    (
      await call<{ options: PublicKeyCredentialCreationOptionsJSON }>({
        method: 'POST',
        path,
        // With no session yet, the service starts one to keep the challenge.
        issuesSession: true,
      })
    ).options

  const passkeys = {
    /**
     * Creates an account with a passkey alone (no email, not anonymous). From an anonymous
     * session its data merges in (`merge` reports it), as with the other sign-in methods.
     */
    async signUp(options: { name?: string | undefined } = {}): Promise<PasskeySignUp> {
      const optionsJSON = await creationOptions('/v1/auth/passkeys/sign-up/options')
      const response = await startRegistration({ optionsJSON })
      return signIn(
        call<PasskeySignUp>({
          method: 'POST',
          path: '/v1/auth/passkeys/sign-up/verify',
          body: { response, name: options.name },
          issuesSession: true,
          provesSession: true,
        }),
      )
    },
    /**
     * Adds a passkey to the signed-in account. Needs a sign-in within 5 minutes: otherwise a
     * `SessionClientError` with code `recent_sign_in_required` (sign in again, then retry).
     */
    async register(options: { name?: string | undefined } = {}): Promise<Passkey> {
      const optionsJSON = await creationOptions('/v1/me/passkeys/options')
      const response = await startRegistration({ optionsJSON })
      return (
        await call<{ passkey: Passkey }>({
          method: 'POST',
          path: '/v1/me/passkeys',
          body: { response, name: options.name },
        })
      ).passkey
    },
    /** The account's passkeys, newest first. */
    list: async () =>
      (await call<{ passkeys: Passkey[] }>({ method: 'GET', path: '/v1/me/passkeys' })).passkeys,
    rename: async (id: string, name: string) =>
      (
        await call<{ passkey: Passkey }>({
          method: 'PATCH',
          path: `/v1/me/passkeys/${segment(id)}`,
          body: { name },
        })
      ).passkey,
    /**
     * Removes a passkey (a recent sign-in needed); the account's last way in stays:
     * `last_sign_in_method` when it has no password, no proven email and no other passkey.
     */
    remove: (id: string) =>
      call<void>({ method: 'DELETE', path: `/v1/me/passkeys/${segment(id)}` }),
  }

  /**
   * Signs in with a passkey the browser holds (discoverable: no username first). From an
   * anonymous session its data merges in; `autofill` waits for a pick from the autofill list.
   */
  async function signInWithPasskey(options: PasskeySignInOptions = {}): Promise<SignIn> {
    const { options: optionsJSON } = await call<{
      options: PublicKeyCredentialRequestOptionsJSON
    }>({ method: 'POST', path: '/v1/auth/passkeys/sign-in/options', issuesSession: true })
    const response = await startAuthentication({
      optionsJSON,
      useBrowserAutofill: options.autofill ?? false,
    })
    return signIn(
      call<SignIn>({
        method: 'POST',
        path: '/v1/auth/passkeys/sign-in/verify',
        body: { response },
        issuesSession: true,
        provesSession: true,
      }),
    )
  }

  return { passkeys, signInWithPasskey }
}
