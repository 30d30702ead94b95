/**
 * `<SignIn/>`: a prebuilt, unstyled sign-in for the methods this service offers
 * (`GET /v1/auth/providers`): "Continue with <provider>" buttons, a passkey, a mailed link (or its
 * code, typed here), email and password, and registration confirmed by its mailed code; an
 * account with an authenticator app is then asked for its code (or a recovery code).
 * Every part carries an `es-sign-in…` class and `data-es-…` attributes for styling; labels,
 * live regions and focus follow the WAI-ARIA patterns, so it passes axe with no styling at all.
 */
import type { SessionClientError, SignIn as SignInAnswer } from '@edge-session/client'
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from 'react'
import { usePasskeySignIn } from '../use-passkeys'
import { useAuthProviders, useProviderReturn, useProviderSignIn } from '../use-providers'
import { useConfirmRegistration, useMagicLink, useRegister, useSignIn } from '../use-session-action'
import { useMfa } from '../use-mfa'
import { useSession } from '../use-session'
import { classNames } from './class-names'
import { returnUrl } from '../return-url'
import { offeredMethods, type SignInMethod } from './sign-in-methods'

export type { SignInMethod } from './sign-in-methods'

export interface SignInProps {
  /**
   * The methods to offer, in order, among those the service offers; the first form is shown
   * first. Default: every one it offers (mailed link and password when it does not say).
   */
  methods?: readonly SignInMethod[] | undefined
  /**
   * Where a provider sends the person back (an origin in the service's `REDIRECT_ORIGINS`).
   * Default: this page. A refusal comes back as `?error=` and shows here.
   */
  redirectTo?: string | undefined
  /** Called after a sign-in on this page; `useSession()` follows it anyway. */
  onSignedIn?: ((answer: SignInAnswer) => void) | undefined
  /** Added to the root element's `es-sign-in` class. */
  className?: string | undefined
}

type FormMethod = Exclude<SignInMethod, 'passkey'>

const METHOD_LABELS: Record<FormMethod, string> = {
  link: 'Email me a link',
  password: 'Password',
  register: 'Create an account',
}

// Each form's accessible name: distinct from its fields' labels.
const FORM_LABELS: Record<FormMethod, string> = {
  link: 'Sign in with a mailed link',
  password: 'Sign in with a password',
  register: 'Register with email and password',
}

export function SignIn({ methods, redirectTo, onSignedIn, className }: SignInProps): ReactElement {
  const { offered } = useAuthProviders()
  const offers = offeredMethods(offered, methods)
  const forms = offers.filter((m): m is FormMethod => m !== 'passkey')
  const [chosen, setMethod] = useState<FormMethod | null>(null)
  const method: FormMethod = chosen && forms.includes(chosen) ? chosen : (forms[0] ?? 'link')
  // After a link request or a registration: the mailed code is what comes next.
  const [awaitingCode, setAwaitingCode] = useState(false)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const magic = useMagicLink()
  const login = useSignIn()
  const register = useRegister()
  const confirm = useConfirmRegistration()
  const provider = useProviderSignIn()
  const passkey = usePasskeySignIn()
  const providerReturn = useProviderReturn()
  const mfa = useMfa()
  const secondFactor = useSession().status === 'second_factor_required'
  const [recoveryMode, setRecoveryMode] = useState(false)
  const id = useId()
  const codeInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    if (awaitingCode || secondFactor) codeInput.current?.focus()
  }, [awaitingCode, secondFactor])

  const signedIn = (answer: SignInAnswer | undefined) => {
    if (answer) onSignedIn?.(answer)
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (secondFactor) {
      const proof = recoveryMode ? { recoveryCode: code.trim() } : { code: code.trim() }
      return void mfa.verify.run(proof).then((answer) => {
        setCode('')
        signedIn(answer)
      })
    }
    if (awaitingCode) {
      const verify = method === 'register' ? confirm.code : magic.verifyCode
      return void verify.run(email, code.trim()).then(signedIn)
    }
    if (method === 'password') return void login.run({ email, password }).then(signedIn)
    const ask = method === 'register' ? register.run({ email, password }) : magic.request.run(email)
    void ask.then((sent) => setAwaitingCode(sent !== undefined))
  }

  const choose = (next: FormMethod) => {
    setMethod(next)
    setAwaitingCode(false)
    setCode('')
  }

  const actions = [
    provider,
    passkey,
    magic.request,
    magic.verifyCode,
    login,
    register,
    confirm.code,
    mfa.verify,
  ]
  const pending = actions.some((action) => action.pending)
  // Being asked for the second factor (here or on the provider's return) is the next step, not a
  // failure.
  const error: SessionClientError | null =
    [...actions.map((action) => action.error), providerReturn.error].find(
      (failure) => failure && failure.code !== 'needs_second_factor',
    ) ?? null
  const needsPassword = method !== 'link' && !awaitingCode && !secondFactor
  const step = secondFactor ? 'second-factor' : awaitingCode ? 'code' : 'credentials'
  const providers = offered?.providers ?? []
  const offersPasskey = offers.includes('passkey')

  return (
    <div
      className={classNames('es-sign-in', className)}
      data-es-method={method}
      data-es-step={step}
      aria-busy={offered === null}
    >
      {(providers.length > 0 || offersPasskey) && (
        <div className="es-sign-in__providers" role="group" aria-label="Other ways to sign in">
          {providers.map((p) => (
            <button
              key={p.id}
              type="button"
              className="es-sign-in__provider"
              data-es-provider={p.id}
              disabled={pending}
              onClick={() =>
                void provider.run(p.id, { redirectTo: redirectTo ?? returnUrl(location.href) })
              }
            >
              Continue with {p.name}
            </button>
          ))}
          {offersPasskey && (
            <button
              type="button"
              className="es-sign-in__passkey"
              disabled={pending}
              onClick={() => void passkey.run().then(signedIn)}
            >
              Sign in with a passkey
            </button>
          )}
        </div>
      )}
      {forms.length > 1 && (
        <div className="es-sign-in__methods" role="group" aria-label="Ways to sign in">
          {forms.map((m) => (
            <button
              key={m}
              type="button"
              className="es-sign-in__method"
              data-es-method={m}
              aria-pressed={m === method}
              onClick={() => choose(m)}
            >
              {METHOD_LABELS[m]}
            </button>
          ))}
        </div>
      )}
      {forms.length > 0 && (
        <form
          className="es-sign-in__form"
          aria-label={secondFactor ? 'Second factor' : FORM_LABELS[method]}
          aria-busy={pending}
          onSubmit={submit}
        >
          {secondFactor ? (
            <>
              <label className="es-sign-in__label" htmlFor={`${id}-factor`}>
                {recoveryMode ? 'Recovery code' : 'Code from your authenticator app'}
              </label>
              <input
                ref={codeInput}
                id={`${id}-factor`}
                className="es-sign-in__input"
                name="code"
                autoComplete="one-time-code"
                inputMode={recoveryMode ? 'text' : 'numeric'}
                required
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
              <button
                type="button"
                className="es-sign-in__back"
                onClick={() => setRecoveryMode(!recoveryMode)}
              >
                {recoveryMode ? 'Use the authenticator app' : 'Use a recovery code'}
              </button>
            </>
          ) : awaitingCode ? (
            <>
              <p className="es-sign-in__sent" role="status">
                We mailed a link and a code to {email}. Open the link, or type the code here.
              </p>
              <label className="es-sign-in__label" htmlFor={`${id}-code`}>
                Code from the mail
              </label>
              <input
                ref={codeInput}
                id={`${id}-code`}
                className="es-sign-in__input"
                name="code"
                autoComplete="one-time-code"
                autoCapitalize="characters"
                required
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </>
          ) : (
            <>
              <label className="es-sign-in__label" htmlFor={`${id}-email`}>
                Email
              </label>
              <input
                id={`${id}-email`}
                className="es-sign-in__input"
                name="email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </>
          )}
          {needsPassword && (
            <>
              <label className="es-sign-in__label" htmlFor={`${id}-password`}>
                Password
              </label>
              <input
                id={`${id}-password`}
                className="es-sign-in__input"
                name="password"
                type="password"
                autoComplete={method === 'register' ? 'new-password' : 'current-password'}
                minLength={method === 'register' ? 10 : undefined}
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </>
          )}
          <button type="submit" className="es-sign-in__submit" disabled={pending}>
            {secondFactor ? 'Verify' : submitLabel(method, awaitingCode)}
          </button>
          {awaitingCode && (
            <button type="button" className="es-sign-in__back" onClick={() => choose(method)}>
              Use another email
            </button>
          )}
        </form>
      )}
      <div className="es-sign-in__error" role="alert" data-es-error={error?.code}>
        {error?.message}
      </div>
    </div>
  )
}

function submitLabel(method: FormMethod, awaitingCode: boolean): string {
  if (awaitingCode) return method === 'register' ? 'Confirm and sign in' : 'Sign in'
  if (method === 'password') return 'Sign in'
  return method === 'register' ? 'Create account' : 'Send link'
}
