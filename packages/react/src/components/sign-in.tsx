/**
 * `<SignIn/>`: a prebuilt, unstyled sign-in for the methods this service offers: a mailed link
 * (or its code, typed here), email and password, and registration confirmed by its mailed code.
 * Every part carries an `es-sign-in…` class and `data-es-…` attributes for styling; labels,
 * live regions and focus follow the WAI-ARIA patterns, so it passes axe with no styling at all.
 */
import type { SessionClientError, SignIn as SignInAnswer } from '@edge-session/client'
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from 'react'
import { useConfirmRegistration, useMagicLink, useRegister, useSignIn } from '../use-session-action'
import { classNames } from './class-names'

/** A way in: `link` (a mailed link and code), `password`, `register` (with a mailed code). */
export type SignInMethod = 'link' | 'password' | 'register'

export interface SignInProps {
  /**
   * The methods to offer, in order; the first is shown first. Default: all three, what this
   * service offers today (a `GET /v1/auth/providers` route would list more once it exists).
   */
  methods?: readonly SignInMethod[] | undefined
  /** Called after a sign-in; `useSession()` follows it anyway. */
  onSignedIn?: ((answer: SignInAnswer) => void) | undefined
  /** Added to the root element's `es-sign-in` class. */
  className?: string | undefined
}

const METHOD_LABELS: Record<SignInMethod, string> = {
  link: 'Email me a link',
  password: 'Password',
  register: 'Create an account',
}

// Each form's accessible name: distinct from its fields' labels.
const FORM_LABELS: Record<SignInMethod, string> = {
  link: 'Sign in with a mailed link',
  password: 'Sign in with a password',
  register: 'Register with email and password',
}

const DEFAULT_METHODS: readonly SignInMethod[] = ['link', 'password', 'register']

export function SignIn({
  methods = DEFAULT_METHODS,
  onSignedIn,
  className,
}: SignInProps): ReactElement {
  const [method, setMethod] = useState<SignInMethod>(methods[0] ?? 'link')
  // After a link request or a registration: the mailed code is what comes next.
  const [awaitingCode, setAwaitingCode] = useState(false)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const magic = useMagicLink()
  const login = useSignIn()
  const register = useRegister()
  const confirm = useConfirmRegistration()
  const id = useId()
  const codeInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    if (awaitingCode) codeInput.current?.focus()
  }, [awaitingCode])

  const signedIn = (answer: SignInAnswer | undefined) => {
    if (answer) onSignedIn?.(answer)
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (awaitingCode) {
      const verify = method === 'register' ? confirm.code : magic.verifyCode
      return void verify.run(email, code.trim()).then(signedIn)
    }
    if (method === 'password') return void login.run({ email, password }).then(signedIn)
    const ask = method === 'register' ? register.run({ email, password }) : magic.request.run(email)
    void ask.then((sent) => setAwaitingCode(sent !== undefined))
  }

  const choose = (next: SignInMethod) => {
    setMethod(next)
    setAwaitingCode(false)
    setCode('')
  }

  const actions = [magic.request, magic.verifyCode, login, register, confirm.code]
  const pending = actions.some((action) => action.pending)
  const error: SessionClientError | null = actions.find((action) => action.error)?.error ?? null
  const needsPassword = method !== 'link' && !awaitingCode

  return (
    <div
      className={classNames('es-sign-in', className)}
      data-es-method={method}
      data-es-step={awaitingCode ? 'code' : 'credentials'}
    >
      {methods.length > 1 && (
        <div className="es-sign-in__methods" role="group" aria-label="Ways to sign in">
          {methods.map((m) => (
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
      <form
        className="es-sign-in__form"
        aria-label={FORM_LABELS[method]}
        aria-busy={pending}
        onSubmit={submit}
      >
        {awaitingCode ? (
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
          {submitLabel(method, awaitingCode)}
        </button>
        {awaitingCode && (
          <button type="button" className="es-sign-in__back" onClick={() => choose(method)}>
            Use another email
          </button>
        )}
      </form>
      <div className="es-sign-in__error" role="alert" data-es-error={error?.code}>
        {error?.message}
      </div>
    </div>
  )
}

function submitLabel(method: SignInMethod, awaitingCode: boolean): string {
  if (awaitingCode) return method === 'register' ? 'Confirm and sign in' : 'Sign in'
  if (method === 'password') return 'Sign in'
  return method === 'register' ? 'Create account' : 'Send link'
}
