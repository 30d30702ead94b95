/**
 * The SDK's sign-in with other providers (Google, GitHub, any OpenID issuer) and the account's
 * linked identities. The service runs the provider's flow; the SDK starts it, sends the browser
 * there, and on the way back reads the outcome from the return URL: cookie transport is signed in
 * by the callback's cookies, token transport exchanges the handoff code with its PKCE verifier.
 */
import { clientError, SecondFactorRequiredError, SessionClientError } from './errors'
import { codeChallengeOf, createCodeVerifier, type VerifierStore } from './pkce'
import type { Requester, Transport } from './requester'
import type { Merge, SecondFactorRequired, SignIn, UserSession } from './types'
import { CLIENT_CODE, CODE, ERROR_CODES, type ErrorCode } from '../../contract/error-codes'

/** A way in that is not a provider: `magic-link`, `password`, `passkey`. */
export type AuthMethod = 'magic-link' | 'password' | 'passkey'

/** A configured provider: `id` for the calls, `name` for people ("Continue with <name>"). */
export interface AuthProvider {
  id: string
  name: string
}

/** What `GET /v1/auth/providers` lists: this service's ways in. */
export interface AuthProviders {
  methods: AuthMethod[]
  providers: AuthProvider[]
}

/** A provider account linked to the user. */
export interface Identity {
  id: string
  /** The provider's `id` (as in `AuthProvider`). */
  provider: string
  /** The email as the provider asserts it; proves nothing unless `emailVerified`. */
  email: string | null
  emailVerified: boolean
  linkedAt: string
  lastUsedAt: string | null
}

export interface ProviderRedirectOptions {
  /**
   * Where the service sends the browser back to: an origin in its `REDIRECT_ORIGINS`, nothing
   * else. Relative to the page when there is one.
   */
  redirectTo: string
  /**
   * Goes to the provider's page. Default: cookie transport `location.assign(url)`; token
   * transport nothing (open the returned URL in a system browser or a popup yourself).
   */
  open?: ((authorizationUrl: string) => void | Promise<void>) | undefined
}

/** Where the person goes next: the provider's authorization page. */
export interface ProviderRedirect {
  authorizationUrl: string
}

/**
 * Who the person is after the provider's return. Token transport's exchange reports the merge;
 * after a browser redirect the service merged already and the report does not travel in the URL.
 */
export type ProviderSignIn = UserSession & { merge?: Merge | null | undefined }

// What the service offered before provider sign-in existed: an older server lacks the route.
const WITHOUT_PROVIDERS: AuthProviders = { methods: ['magic-link', 'password'], providers: [] }

/** The part of the page's `location` used here (the Workers types have no DOM). */
interface PageLocation {
  href: string
  assign(url: string): void
}

const segment = (value: string) => encodeURIComponent(value)

/**
 * The error a return URL carries in `?error=<code>` (the service's code), or `null` when it
 * carries none. Status 400: the service refused the sign-in at its callback.
 * @example
 * const refused = providerReturnError(location.href)
 * if (refused) showError(refused.message)
 */
export function providerReturnError(url: string | URL): SessionClientError | null {
  const code = new URL(url).searchParams.get('error')
  if (!code) return null
  if (code in ERROR_CODES) return clientError(400, code as ErrorCode)
  // A newer service's code: kept, so that the app can still tell it apart.
  return new SessionClientError(400, code as ErrorCode, 'The sign-in with the provider failed.')
}

// How long the service keeps a sign-in's second-factor challenge (src/identity/factors/challenges.ts).
const SECOND_FACTOR_CHALLENGE_TTL_MS = 5 * 60 * 1000

/**
 * The second factor a return URL asks for in `?second_factor=<challenge>` (an account with an
 * authenticator app), or `null` when it asks for none. The URL carries no expiry: the challenge
 * was made at the callback, a moment before this page loaded, so `expiresAt` is at most 5
 * minutes from `now`.
 * @example
 * const pending = providerReturnSecondFactor(location.href)
 * if (pending) showCodeStep(pending.methods)
 */
export function providerReturnSecondFactor(
  url: string | URL,
  now = Date.now(),
): SecondFactorRequired | null {
  const challenge = new URL(url).searchParams.get('second_factor')
  if (!challenge) return null
  return {
    secondFactorRequired: true,
    challenge,
    methods: ['totp', 'recovery_code'],
    expiresAt: new Date(now + SECOND_FACTOR_CHALLENGE_TTL_MS).toISOString(),
  }
}

/** A handoff code: the `code` parameter of a return URL, or the code itself. */
function returnParam(url: string, name: string): string | null {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url).searchParams.get(name) : null
}

function handoffCode(urlOrCode: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(urlOrCode)) return urlOrCode
  return new URL(urlOrCode).searchParams.get('code')
}

export interface ProviderCallsOptions {
  transport: Transport
  call: Requester['call']
  verifiers: VerifierStore
  /** Makes sure there is a session to bind the pending sign-in to (anonymous-first). */
  ensureSession(): Promise<void>
  /** Reports a sign-in to the listeners and the other tabs. */
  signIn<T extends SignIn>(answer: Promise<T>): Promise<T>
  /** Asks who this is now and reports it. */
  me(): Promise<UserSession>
  /** Reports that the account asks for its second factor (state `second_factor_required`). */
  secondFactorRequired(pending: SecondFactorRequired): void
}

/** `client.providers`, `signInWith`, `completeSignInWith` and the identity calls. */
export function createProviderCalls(options: ProviderCallsOptions) {
  const { transport, call, verifiers, ensureSession, signIn, me, secondFactorRequired } = options

  /** Starts a flow at `path`; token transport adds a PKCE challenge and keeps its verifier. */
  async function start(path: string, redirect: ProviderRedirectOptions): Promise<ProviderRedirect> {
    await ensureSession()
    const location = (globalThis as { location?: PageLocation }).location
    const redirectTo = new URL(redirect.redirectTo, location?.href).href
    let codeChallenge: string | undefined
    if (transport === 'token') {
      const verifier = createCodeVerifier()
      codeChallenge = await codeChallengeOf(verifier)
      await verifiers.save(verifier)
    }
    const { authorizationUrl } = await call<ProviderRedirect>({
      method: 'POST',
      path,
      body: { redirectTo, codeChallenge },
      // A token client without a session yet gets one here, its tokens in the answer.
      issuesSession: true,
      // The flow is bound to this session: from an anonymous one, its data merges on return.
      provesSession: true,
    })
    const open =
      redirect.open ??
      (transport === 'cookie'
        ? (url: string) => {
            if (!location) throw new Error('signInWith() needs a page to navigate, or an `open`.')
            location.assign(url)
          }
        : undefined)
    await open?.(authorizationUrl)
    return { authorizationUrl }
  }

  async function exchange(code: string): Promise<SignIn> {
    const codeVerifier = await verifiers.load()
    if (!codeVerifier) throw clientError(0, CLIENT_CODE.provider_sign_in_not_started)
    try {
      const answer = await signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/providers/exchange',
          body: { code, codeVerifier },
          issuesSession: true,
          provesSession: true,
        }),
      )
      await verifiers.save(null)
      return answer
    } catch (error) {
      // Spent or refused, the code is gone with its verifier; only an unanswered call may retry.
      if (!(error instanceof SessionClientError) || error.status !== 0) await verifiers.save(null)
      throw error
    }
  }

  /** A token client's link ends here: the identity is linked only once its verifier comes back. */
  async function finishLink(code: string): Promise<void> {
    const codeVerifier = await verifiers.load()
    if (!codeVerifier) throw clientError(0, CLIENT_CODE.provider_sign_in_not_started)
    try {
      await call<{ linked: string }>({
        method: 'POST',
        path: '/v1/me/identities/exchange',
        body: { code, codeVerifier },
      })
    } finally {
      await verifiers.save(null)
    }
  }

  return {
    /**
     * The ways in this service offers. From a service older than provider sign-in (no such
     * route): mailed link and password, no providers.
     */
    async providers(): Promise<AuthProviders> {
      try {
        return await call<AuthProviders>({ method: 'GET', path: '/v1/auth/providers' })
      } catch (error) {
        if (error instanceof SessionClientError && error.code === CODE.not_found)
          return WITHOUT_PROVIDERS
        throw error
      }
    },
    /**
     * Signs in with a provider. Cookie transport: the browser goes to the provider and comes back
     * to `redirectTo` signed in (or with `?error=`: `providerReturnError`). Token transport:
     * resolves to the URL to open; the return URL then goes to `completeSignInWith`.
     * @example
     * await client.signInWith('google', { redirectTo: '/account' })
     */
    signInWith: (provider: string, redirect: ProviderRedirectOptions) =>
      start(`/v1/auth/providers/${segment(provider)}/start`, redirect),
    /**
     * Finishes a provider sign-in (or link) where it returned: throws the `?error=` as a
     * `SessionClientError`; an account with a second factor (`?second_factor=`) throws
     * `SecondFactorRequiredError`, as a password sign-in does: then `mfa.verify({ code })` from
     * this browser. Token transport exchanges the handoff code (a return URL or the code
     * itself) for tokens, once, and a link's `?link_code=` with the kept verifier (nothing is
     * linked before); otherwise (cookie transport, a browser link's `?linked=`) asks who this is.
     * @example
     * const { user } = await client.completeSignInWith(location.href)
     */
    async completeSignInWith(urlOrCode: string): Promise<ProviderSignIn> {
      if (/^[a-z][a-z0-9+.-]*:/i.test(urlOrCode)) {
        const refused = providerReturnError(urlOrCode)
        if (refused) {
          if (transport === 'token') await verifiers.save(null)
          throw refused
        }
        const pending = providerReturnSecondFactor(urlOrCode)
        if (pending) {
          if (transport === 'token') await verifiers.save(null)
          // The challenge is bound to this browser's session: knowing which one it is keeps the
          // state's user and session, and a late first `me()` from leaving the code step.
          await ensureSession()
          secondFactorRequired(pending)
          throw new SecondFactorRequiredError(pending)
        }
      }
      const linkCode = transport === 'token' ? returnParam(urlOrCode, 'link_code') : null
      if (linkCode) {
        await finishLink(linkCode)
        return me()
      }
      const code = transport === 'token' ? handoffCode(urlOrCode) : null
      if (code) return exchange(code)
      // A browser link's return (`?linked=`) hands off nothing: no code goes with the verifier.
      if (transport === 'token') await verifiers.save(null)
      return me()
    },
    /**
     * Links another provider's account to this account, through the same redirect as a sign-in.
     * Needs a sign-in within 5 minutes (`recent_sign_in_required` otherwise).
     */
    linkIdentity: (provider: string, redirect: ProviderRedirectOptions) =>
      start(`/v1/me/identities/${segment(provider)}/start`, redirect),
    /** The provider accounts linked to this account. */
    identities: async () =>
      (await call<{ identities: Identity[] }>({ method: 'GET', path: '/v1/me/identities' }))
        .identities,
    /** Unlinks one; never the account's last way in (409). */
    unlinkIdentity: (identityId: string) =>
      call<void>({ method: 'DELETE', path: `/v1/me/identities/${segment(identityId)}` }),
  }
}
