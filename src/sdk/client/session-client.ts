/**
 * `createSessionClient`: the browser SDK's one entry. Each method is one call of the HTTP contract
 * (shared/API.md); envelopes with a single field (`{preferences}`, `{document}`) are unwrapped.
 */
import { createAccessTokens } from './access-tokens'
import { warnIfCrossSite } from './cross-origin'
import { SecondFactorRequiredError, SessionClientError } from './errors'
import { createOAuthCalls } from './oauth-calls'
import { createMfaCalls } from './factors/mfa-calls'
import { createPasskeyCalls } from './factors/passkey-calls'
import { createDefaultVerifierStore, type VerifierStore } from './pkce'
import { createProviderCalls } from './providers'
import { createRequester, type FetchLike, type Transport } from './requester'
import { createSessionTracker } from './session-tracker'
import { createTabChannel, type TabChannel } from './tab-channel'
import {
  createMemoryDeviceCredentialStore,
  createMemoryTokenStore,
  type DeviceCredentialStore,
  type TokenStore,
} from './token-store'
import type {
  AuditEvent,
  Document,
  DocumentChanges,
  LinkPreview,
  DocumentsPage,
  NewDocument,
  OutboxMessage,
  Preferences,
  PreferencesPatch,
  RegistrationSent,
  SecondFactorRequired,
  SecretSummary,
  Session,
  SignIn,
  UserSession,
} from './types'

export interface SessionClientOptions {
  /** The service's origin (and path prefix, if any), e.g. `https://auth.example.com`. */
  baseUrl: string
  /** `cookie` (default): HttpOnly cookies the browser keeps. `token`: bearer tokens the SDK keeps. */
  transport?: Transport | undefined
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike | undefined
  /** Token transport only: where the token pair lives. Defaults to memory (lost on reload). */
  tokenStore?: TokenStore | undefined
  /**
   * Token transport only: where the device credential of the last sign-in lives; it goes back with
   * logins and link requests so strangers cannot spend this client's budget. Defaults to memory.
   */
  deviceCredentialStore?: DeviceCredentialStore | undefined
  /**
   * How this client tells the other tabs of the browser about sign-ins and sign-outs. Defaults to
   * BroadcastChannel (else localStorage events) named after `baseUrl`; `false` keeps to this tab.
   */
  tabChannel?: TabChannel | false | undefined
  /**
   * Token transport only: where a provider sign-in's PKCE verifier waits for the return.
   * Defaults to `sessionStorage` (this tab, survives the redirect), else memory.
   */
  verifierStore?: VerifierStore | undefined
}

export interface Credentials {
  email: string
  password: string
}

/** The SDK's client; see `createSessionClient`. */
export type SessionClient = ReturnType<typeof createSessionClient>

const segment = (value: string) => encodeURIComponent(value)

/** A first factor's 202: the typed call said SignIn, the service answered a challenge. */
const asksSecondFactor = (answer: object): answer is SecondFactorRequired =>
  (answer as Partial<SecondFactorRequired>).secondFactorRequired === true

/**
 * A client for one browser tab (or one server-side caller). At most one refresh is in flight per
 * client; a call answered 401 refreshes (or waits for the refresh already running) and retries once.
 * @example
 * const client = createSessionClient({ baseUrl: location.origin })
 * const { user } = await client.me() // an anonymous user on first visit
 * await client.preferences.patch({ theme: 'dark' })
 */
export function createSessionClient(options: SessionClientOptions) {
  const transport = options.transport ?? 'cookie'
  if (transport === 'cookie') warnIfCrossSite(options.baseUrl, (message) => console.warn(message))
  const store = options.tokenStore ?? createMemoryTokenStore()
  // Called through a wrapper: browsers refuse `fetch` invoked with another `this`.
  const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const requester = createRequester({
    baseUrl: options.baseUrl,
    transport,
    fetch,
    store,
    onRefresh: (outcome) => tracker.refreshed(outcome),
  })
  const { call, refresh, forget } = requester

  const askMe = () => call<UserSession>({ method: 'GET', path: '/v1/me', issuesSession: true })
  async function fetchMe(): Promise<UserSession> {
    try {
      return await askMe()
    } catch (error) {
      // The refresh that failed has already dropped the dead credentials (cookies or tokens),
      // so asking again starts a fresh anonymous session.
      if (!(error instanceof SessionClientError) || error.status !== 401) throw error
      return askMe()
    }
  }

  const tracker = createSessionTracker({
    channel:
      options.tabChannel === false
        ? { post: () => undefined, listen: () => () => undefined }
        : (options.tabChannel ?? createTabChannel(`edge-session:${options.baseUrl}`)),
    fetchMe,
    // Cookie transport: the browser's cookies went with the other tab's sign-out. Token transport:
    // only if the tabs share the store.
    holdsCredentials: async () => transport === 'token' && (await store.load()) !== null,
  })

  const accessTokens = createAccessTokens({
    transport,
    requester,
    fetch,
    startSession: async () => tracker.answered(await fetchMe()),
  })

  const devices = options.deviceCredentialStore ?? createMemoryDeviceCredentialStore()
  /** Adds the kept device credential to a token client's body (browsers send the cookie). */
  const withDevice = async <B extends object>(body: B): Promise<B> => {
    const deviceCredential = transport === 'token' ? await devices.load() : null
    return deviceCredential ? { ...body, deviceCredential } : body
  }

  /**
   * Runs a sign-in call and reports it to the listeners and the other tabs; an account that asks
   * for its second factor throws `SecondFactorRequiredError` (state `second_factor_required`).
   */
  const signIn = async <T extends SignIn>(answer: Promise<T>): Promise<T> => {
    const signedIn = await answer
    if (asksSecondFactor(signedIn)) {
      tracker.secondFactorRequired(signedIn)
      throw new SecondFactorRequiredError(signedIn)
    }
    if (transport === 'token' && signedIn.deviceCredential)
      await devices.save(signedIn.deviceCredential)
    tracker.signedIn(signedIn)
    return signedIn
  }
  const { passkeys, signInWithPasskey } = createPasskeyCalls(call, signIn)
  const providerCalls = createProviderCalls({
    transport,
    call,
    verifiers:
      options.verifierStore ?? createDefaultVerifierStore(`edge-session:pkce:${options.baseUrl}`),
    async ensureSession() {
      const { status } = tracker.getState()
      if (status === 'loading' || status === 'signed_out') tracker.answered(await fetchMe())
    },
    signIn,
    async me() {
      const answer = await fetchMe()
      tracker.answered(answer)
      return answer
    },
    secondFactorRequired: tracker.secondFactorRequired,
  })
  const mfa = createMfaCalls(call, signIn, () => {
    const state = tracker.getState()
    return state.status === 'second_factor_required' ? state : null
  })

  return {
    transport,

    /**
     * Calls `listener(change, state)` on every session change, in the order listeners subscribed,
     * including changes made in the browser's other tabs; returns the function that unsubscribes.
     * @example
     * const unsubscribe = client.subscribe((change, state) => render(state))
     */
    subscribe: tracker.subscribe,
    /** What the client knows now: `status`, `user`, `session`, `lastMerge` (one object per change). */
    getState: tracker.getState,

    /**
     * The current user and session. Anonymous-first: with no session, or one that has ended (a
     * logout elsewhere), the server starts a new anonymous user and session.
     */
    async me(): Promise<UserSession> {
      const answer = await fetchMe()
      tracker.answered(answer)
      return answer
    },
    /** Starts a new anonymous user and session, replacing the current credentials. */
    async startAnonymous(): Promise<UserSession> {
      const answer = await call<UserSession>({
        method: 'POST',
        path: '/v1/sessions/anonymous',
        issuesSession: true,
      })
      tracker.answered(answer, true)
      return answer
    },
    /**
     * Asks for an account: the service mails a confirmation (a link and a code) and this session
     * stays anonymous, its data its own, until `confirmRegistration` or `confirmRegistrationCode`.
     * Resolves to `{sent: true}` whether or not the email has an account (a proven one gets a
     * notice instead, and nothing changes).
     * @example
     * await client.register({ email, password }) // then: "check your mail"
     * await client.confirmRegistrationCode(email, codeFromTheMail) // signed in, data merged
     */
    async register(credentials: Credentials): Promise<RegistrationSent> {
      // Only the session that registered keeps the password, so there must be one to prove.
      const { status } = tracker.getState()
      if (status === 'loading' || status === 'signed_out') tracker.answered(await fetchMe())
      return call<RegistrationSent>({
        method: 'POST',
        path: '/v1/auth/register',
        body: credentials,
        provesSession: true,
      })
    },
    /**
     * Confirms a registration with its mailed link's token: creates the account. From the session
     * that registered it keeps the password and merges this session's data; from anywhere else it
     * signs this browser in without either (`merge` is null).
     */
    confirmRegistration: (token: string) =>
      signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/register/confirm',
          body: { token },
          issuesSession: true,
          provesSession: true,
        }),
      ),
    /** Confirms a registration with the code mailed beside its link, typed where it registered. */
    confirmRegistrationCode: (email: string, code: string) =>
      signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/register/code',
          body: { email, code },
          issuesSession: true,
          provesSession: true,
        }),
      ),
    /**
     * Signs in with email and password; from an anonymous session its data merges in. An account
     * with a second factor throws `SecondFactorRequiredError`: then `mfa.verify({ code })`.
     */
    login: async (credentials: Credentials) =>
      signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/login',
          body: await withDevice(credentials),
          issuesSession: true,
          provesSession: true,
        }),
      ),
    /** Mails a sign-in link and code; the answer is the same whether or not the email has an account. */
    requestMagicLink: async (email: string) =>
      call<{ sent: true }>({
        method: 'POST',
        path: '/v1/auth/magic-link',
        body: await withDevice({ email }),
        provesSession: true,
      }),
    /** Which account a link's token is for, and whether this session asked for it. */
    previewMagicLink: (token: string) =>
      call<LinkPreview>({
        method: 'POST',
        path: '/v1/auth/magic-link/preview',
        body: { token },
        provesSession: true,
      }),
    /** Uses a sign-in link's token; from the session that asked for it, its data merges in. */
    verifyMagicLink: async (token: string) =>
      signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/magic-link/verify',
          body: await withDevice({ token }),
          issuesSession: true,
          provesSession: true,
        }),
      ),
    /** Signs this session in with the code mailed beside a link it asked for; its data merges in. */
    verifyLinkCode: async (email: string, code: string) =>
      signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/magic-link/code',
          body: await withDevice({ email, code }),
          issuesSession: true,
          provesSession: true,
        }),
      ),
    /** Signs in with a passkey (`{autofill: true}`: conditional UI); anonymous data merges in. */
    signInWithPasskey,
    /** Sign up with a passkey alone, add one to the account, list, rename, remove. */
    passkeys,
    /** Sign-in with other providers (Google, GitHub, OpenID) and the linked identities. */
    ...providerCalls,
    /**
     * The second factor: `enrolTotp`, `confirmTotp`, `verify` (finish a sign-in), `stepUp`,
     * `disable`, `regenerateRecoveryCodes`, `status`.
     */
    mfa,
    /** Sets or changes the password (a first one needs a recent sign-in); other sessions end. */
    changePassword: (currentPassword: string | undefined, newPassword: string) =>
      call<void>({
        method: 'POST',
        path: '/v1/auth/password',
        body: { currentPassword, newPassword },
      }),
    /** Rotates the session now (the SDK also does this by itself when needed). */
    refresh,
    /**
     * A valid access token for your own APIs (`Authorization: Bearer`), refreshed when it is
     * about to expire; concurrent callers share one request. Cookie transport asks the service
     * for it (`POST /v1/auth/token`), so the page's origin must be the service's or in
     * `ALLOWED_ORIGINS`. With no session yet, one starts (anonymous-first).
     * @example
     * const res = await fetch('https://api.example.com/notes', {
     *   headers: { Authorization: `Bearer ${await client.getToken()}` },
     * })
     */
    getToken: accessTokens.getToken,
    /**
     * `fetch` with `Authorization: Bearer <getToken()>`; a 401 answer refreshes the session and
     * retries once. The body may be sent twice, so pass a string or other replayable body.
     * @example
     * const notes = await (await client.fetch('https://api.example.com/notes')).json()
     */
    fetch: accessTokens.fetch,
    /** Ends this session. */
    async logout(): Promise<void> {
      await call<void>({ method: 'POST', path: '/v1/auth/logout' })
      await forget()
      tracker.signedOut(false)
    },
    /** Ends every session of this user, on every device. */
    async logoutAll(): Promise<void> {
      await call<void>({ method: 'POST', path: '/v1/auth/logout-all' })
      await forget()
      tracker.signedOut(true)
    },
    /** This user's live sessions, newest first; `current` marks this one. */
    sessions: async () =>
      (await call<{ sessions: Session[] }>({ method: 'GET', path: '/v1/sessions' })).sessions,
    /** Ends one of this user's sessions. */
    revokeSession: (id: string) =>
      call<void>({ method: 'DELETE', path: `/v1/sessions/${segment(id)}` }),

    preferences: {
      get: async () =>
        (await call<{ preferences: Preferences }>({ method: 'GET', path: '/v1/me/preferences' }))
          .preferences,
      /** A JSON merge patch (RFC 7396): `null` deletes a key. Returns the whole object after it. */
      patch: async (patch: PreferencesPatch) =>
        (
          await call<{ preferences: Preferences }>({
            method: 'PATCH',
            path: '/v1/me/preferences',
            body: patch,
          })
        ).preferences,
    },

    secrets: {
      /** Names and times only; a value is shown by `get` alone. */
      list: async () =>
        (await call<{ secrets: SecretSummary[] }>({ method: 'GET', path: '/v1/me/secrets' }))
          .secrets,
      put: (name: string, value: string) =>
        call<void>({ method: 'PUT', path: `/v1/me/secrets/${segment(name)}`, body: { value } }),
      get: async (name: string) =>
        (
          await call<{ name: string; value: string }>({
            method: 'GET',
            path: `/v1/me/secrets/${segment(name)}`,
          })
        ).value,
      delete: (name: string) =>
        call<void>({ method: 'DELETE', path: `/v1/me/secrets/${segment(name)}` }),
    },

    documents: {
      create: async (document: NewDocument) =>
        (
          await call<{ document: Document }>({
            method: 'POST',
            path: '/v1/documents',
            body: document,
          })
        ).document,
      /** A page, newest first, without content; pass `nextCursor` back for the next one. */
      list: (page: { limit?: number; cursor?: string } = {}) =>
        call<DocumentsPage>({ method: 'GET', path: '/v1/documents', query: page }),
      get: async (id: string) =>
        (
          await call<{ document: Document }>({
            method: 'GET',
            path: `/v1/documents/${segment(id)}`,
          })
        ).document,
      update: async (id: string, changes: DocumentChanges) =>
        (
          await call<{ document: Document }>({
            method: 'PATCH',
            path: `/v1/documents/${segment(id)}`,
            body: changes,
          })
        ).document,
      delete: (id: string) =>
        call<void>({ method: 'DELETE', path: `/v1/documents/${segment(id)}` }),
    },

    oauth: createOAuthCalls(call),

    /** This user's latest audit events, newest first. */
    events: async (limit?: number) =>
      (
        await call<{ events: AuditEvent[] }>({
          method: 'GET',
          path: '/v1/me/events',
          query: { limit },
        })
      ).events,

    dev: {
      /** Local development only (`MAILER=outbox`): mail sent to `to`, newest first. */
      outbox: async (to: string) =>
        (
          await call<{ messages: OutboxMessage[] }>({
            method: 'GET',
            path: '/v1/dev/outbox',
            query: { to },
          })
        ).messages,
    },
  }
}
