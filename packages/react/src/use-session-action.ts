/**
 * The action hooks: each runs one SDK call and tracks whether it is `pending` and the
 * `SessionClientError` it last failed with. The session state itself follows by `useSession()`,
 * since the client reports every sign-in and sign-out.
 */
import type {
  Credentials,
  LinkPreview,
  RegistrationSent,
  SessionClient,
  SessionClientError,
  SignIn,
} from '@edge-session/client'
import { useCallback, useState } from 'react'
import { useSessionClient } from './session-provider'

/** One action: `run` resolves with the answer, or with `undefined` after setting `error`. */
export interface SessionAction<Args extends unknown[], Result> {
  run(...args: Args): Promise<Result | undefined>
  pending: boolean
  /** The last failure; `error.code` is from the service's error vocabulary. Cleared by `run`. */
  error: SessionClientError | null
}

interface ActionStatus {
  pending: boolean
  error: SessionClientError | null
}

const IDLE: ActionStatus = { pending: false, error: null }
const PENDING: ActionStatus = { pending: true, error: null }

// By shape, not `instanceof`: an app may hold a second copy of the SDK (two bundles, a test).
// A sign-in that asks for its second factor is one too: `useSession()` then says so.
const CLIENT_ERROR_NAMES = new Set(['SessionClientError', 'SecondFactorRequiredError'])
const isClientError = (error: unknown): error is SessionClientError =>
  error instanceof Error && CLIENT_ERROR_NAMES.has(error.name)

/** Wraps `act(client, …args)`; errors other than the SDK's are thrown on, as bugs should be. */
export function useSessionAction<Args extends unknown[], Result>(
  act: (client: SessionClient, ...args: Args) => Promise<Result>,
): SessionAction<Args, Result> {
  const client = useSessionClient()
  const [status, setStatus] = useState(IDLE)
  const run = useCallback(
    async (...args: Args) => {
      setStatus(PENDING)
      try {
        const result = await act(client, ...args)
        setStatus(IDLE)
        return result
      } catch (error) {
        if (!isClientError(error)) {
          setStatus(IDLE)
          throw error
        }
        setStatus({ pending: false, error })
        return undefined
      }
    },
    [client, act],
  )
  return { run, ...status }
}

const login = (client: SessionClient, credentials: Credentials) => client.login(credentials)
const register = (client: SessionClient, credentials: Credentials) => client.register(credentials)
const signOut = (client: SessionClient, options: SignOutOptions | boolean = false) =>
  (typeof options === 'boolean' ? options : options.everywhere)
    ? client.logoutAll()
    : client.logout()
const requestLink = (client: SessionClient, email: string) => client.requestMagicLink(email)
const previewLink = (client: SessionClient, token: string) => client.previewMagicLink(token)
const verifyLink = (client: SessionClient, token: string) => client.verifyMagicLink(token)
const verifyCode = (client: SessionClient, email: string, code: string) =>
  client.verifyLinkCode(email, code)
const confirmLink = (client: SessionClient, token: string) => client.confirmRegistration(token)
const confirmCode = (client: SessionClient, email: string, code: string) =>
  client.confirmRegistrationCode(email, code)

/**
 * Email and password sign-in; from an anonymous session its data merges in (`lastMerge`). An
 * account with a second factor resolves `undefined` with `error.code` `needs_second_factor`,
 * and `useSession().status` says so: finish with `useMfa().verify`.
 */
export const useSignIn = (): SessionAction<[Credentials], SignIn> => useSessionAction(login)

/**
 * Asks for an account with email and password: a confirmation is mailed and the session stays
 * anonymous until `useConfirmRegistration` confirms it. The answer is the same for every email.
 */
export const useRegister = (): SessionAction<[Credentials], RegistrationSent> =>
  useSessionAction(register)

/** A registration's confirmation: creates the account and signs in. */
export interface RegistrationConfirmActions {
  /**
   * With the mailed link's token. In the browser that registered: the password is kept and its
   * data merges; anywhere else it signs in without either.
   */
  link: SessionAction<[token: string], SignIn>
  /** With the mailed code, typed in the browser that registered: password kept, data merged. */
  code: SessionAction<[email: string, code: string], SignIn>
}

export function useConfirmRegistration(): RegistrationConfirmActions {
  return { link: useSessionAction(confirmLink), code: useSessionAction(confirmCode) }
}

/** What `useSignOut().run` ends. */
export interface SignOutOptions {
  /** Every session of the user, on every device; default: this session only. */
  everywhere?: boolean | undefined
}

/**
 * `run()` ends this session; `run({ everywhere: true })` ends every session of the user, on every
 * device (`run(true)`, the older form, still does).
 */
export const useSignOut = (): SessionAction<[options?: SignOutOptions | boolean], void> =>
  useSessionAction(signOut)

/** The magic-link steps: mail a link, preview a link's account, sign in by link or mailed code. */
export interface MagicLinkActions {
  /** Mails a link and code to the address; the answer is the same whether or not it has an account. */
  request: SessionAction<[email: string], { sent: true }>
  /** Which account a link's token is for, before anything is consumed. */
  preview: SessionAction<[token: string], LinkPreview>
  /** Signs in with a link's token. */
  verify: SessionAction<[token: string], SignIn>
  /** Signs this session in with the code mailed beside a link it asked for. */
  verifyCode: SessionAction<[email: string, code: string], SignIn>
}

export function useMagicLink(): MagicLinkActions {
  return {
    request: useSessionAction(requestLink),
    preview: useSessionAction(previewLink),
    verify: useSessionAction(verifyLink),
    verifyCode: useSessionAction(verifyCode),
  }
}
