/**
 * The SDK's provider sign-in against the real Worker: what it sends to start a flow (a PKCE
 * challenge of a verifier it keeps, the session's proof), how it reads a return URL (a typed
 * `?error=`, a handoff code exchanged once with its verifier), and its answer from a service that
 * has no provider routes; and a token client's whole sign-in through the loopback OpenID provider
 * (test/identity/providers/global-setup.mjs). The browser's redirects are in
 * test-browser/provider-sign-in.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  createMemoryTokenStore,
  createMemoryVerifierStore,
  createSessionClient,
  providerReturnError,
  type FetchLike,
  type VerifierStore,
} from '../../../src/sdk/client'
import { codeChallengeOf, createCodeVerifier } from '../../../src/sdk/client/pkce'
import { CLIENT_CODE, CODE, ERROR_CODES } from '../../../src/contract/error-codes'
import { api, BASE, CookieJar, uniqueEmail } from '../../helpers'
import { authorizeAt, providerAccount } from '../../identity/providers/loopback'
import { caught, workerFetch } from './worker-fetch'

const APP = 'https://app.example.com/signed-in'

interface Sent {
  path: string
  body: Record<string, unknown> | null
}

/** The Worker as `fetch`, keeping each request's path and JSON body. */
function recordingFetch(sent: Sent[], jar?: CookieJar): FetchLike {
  const worker = workerFetch([], jar)
  return (input, init) => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Sent['body']) : null
    sent.push({ path: new URL(input).pathname, body })
    return worker(input, init)
  }
}

function tokenClientWith(sent: Sent[], verifierStore: VerifierStore) {
  return createSessionClient({
    baseUrl: BASE,
    transport: 'token',
    fetch: recordingFetch(sent),
    tokenStore: createMemoryTokenStore(),
    verifierStore,
    tabChannel: false,
  })
}

const settle = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    () => undefined,
  )

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('makes a new 43-character base64url verifier each time', () => {
    const verifiers = new Set(Array.from({ length: 20 }, createCodeVerifier))
    expect(verifiers.size).toBe(20)
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('a return URL', () => {
  it("turns ?error=<code> into a SessionClientError with the code's message", () => {
    const error = providerReturnError(`${APP}?error=${CODE.recent_sign_in_required}`)
    expect(error).toMatchObject({
      name: 'SessionClientError',
      status: 400,
      code: CODE.recent_sign_in_required,
      message: ERROR_CODES.recent_sign_in_required,
    })
  })

  it('keeps a code this SDK does not know, and finds nothing in a clean return', () => {
    expect(providerReturnError(`${APP}?error=some_newer_code`)?.code).toBe('some_newer_code')
    expect(providerReturnError(`${APP}?code=abc`)).toBeNull()
    expect(providerReturnError(APP)).toBeNull()
  })
})

describe('signInWith over token transport', () => {
  it("sends the S256 challenge of the verifier it keeps, with the session's refresh token", async () => {
    const sent: Sent[] = []
    const verifiers = createMemoryVerifierStore()
    const client = tokenClientWith(sent, verifiers)
    await settle(client.signInWith('example', { redirectTo: APP }))

    const start = sent.find((s) => s.path === '/v1/auth/providers/example/start')
    const verifier = await verifiers.load()
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // With no session yet, one started first so that the pending sign-in has one to belong to.
    expect(sent[0]?.path).toBe('/v1/me')
    expect(start?.body).toEqual({
      redirectTo: APP,
      codeChallenge: await codeChallengeOf(verifier ?? ''),
      refreshToken: expect.stringMatching(/^sess_/),
    })
  })
})

describe('completeSignInWith over token transport', () => {
  it('refuses a handoff code when no sign-in was started here, sending nothing', async () => {
    const sent: Sent[] = []
    const client = tokenClientWith(sent, createMemoryVerifierStore())
    const error = await caught(client.completeSignInWith(`${APP}?code=handoff`))
    expect(error.code).toBe(CLIENT_CODE.provider_sign_in_not_started)
    expect(sent).toEqual([])
  })

  it('exchanges the code with the kept verifier once, then forgets the verifier', async () => {
    const sent: Sent[] = []
    const verifiers = createMemoryVerifierStore()
    const client = tokenClientWith(sent, verifiers)
    await client.me()
    await verifiers.save('a-verifier-kept-from-the-start-call-0123456789')

    await settle(client.completeSignInWith(`${APP}?code=handoff-1`))
    expect(sent.at(-1)).toEqual({
      path: '/v1/auth/providers/exchange',
      body: {
        code: 'handoff-1',
        codeVerifier: 'a-verifier-kept-from-the-start-call-0123456789',
        refreshToken: expect.stringMatching(/^sess_/),
      },
    })
    // The service answered (here: refused the made-up code), so the verifier is spent.
    expect(await verifiers.load()).toBeNull()
    const again = await caught(client.completeSignInWith('handoff-1'))
    expect(again.code).toBe(CLIENT_CODE.provider_sign_in_not_started)
  })

  it("answers who this is after a link's return, which hands off no code, and forgets the verifier", async () => {
    const sent: Sent[] = []
    const verifiers = createMemoryVerifierStore()
    const client = tokenClientWith(sent, verifiers)
    const { user } = await client.me()
    await verifiers.save('a-verifier-kept-from-the-start-call-0123456789')
    const answer = await client.completeSignInWith(`${APP}?linked=idn_0123456789abcdefghjkmnpqrs`)
    expect(answer.user.id).toBe(user.id)
    expect(await verifiers.load()).toBeNull()
    expect(sent.map((s) => s.path)).toEqual(['/v1/me', '/v1/me'])
  })

  it("throws the return's ?error= and forgets the verifier", async () => {
    const sent: Sent[] = []
    const verifiers = createMemoryVerifierStore()
    await verifiers.save('a-verifier-kept-from-the-start-call-0123456789')
    const client = tokenClientWith(sent, verifiers)
    const error = await caught(client.completeSignInWith(`${APP}?error=${CODE.session_required}`))
    expect(error.code).toBe(CODE.session_required)
    expect(await verifiers.load()).toBeNull()
    expect(sent).toEqual([])
  })
})

describe('completeSignInWith over cookie transport', () => {
  it('asks who this is now and reports it to the listeners', async () => {
    const jar = new CookieJar()
    const client = createSessionClient({
      baseUrl: BASE,
      fetch: recordingFetch([], jar),
      tabChannel: false,
    })
    const { user } = await client.completeSignInWith(APP)
    expect(user.isAnonymous).toBe(true)
    expect(client.getState()).toMatchObject({ status: 'anonymous', user: { id: user.id } })
  })
})

describe('completeSignInWith over cookie transport, refused', () => {
  it("throws the return's ?error= without asking the service", async () => {
    const sent: Sent[] = []
    const client = createSessionClient({
      baseUrl: BASE,
      fetch: recordingFetch(sent, new CookieJar()),
      tabChannel: false,
    })
    const error = await caught(client.completeSignInWith(`${APP}?error=${CODE.session_required}`))
    expect(error).toMatchObject({ status: 400, code: CODE.session_required })
    expect(sent).toEqual([])
  })
})

describe('providers()', () => {
  it('answers link and password, no providers, from a service without the route', async () => {
    // An older service: its router answers the path with the contract's 404.
    const older: FetchLike = (input, init) =>
      workerFetch()(input.replace('/v1/auth/providers', '/v1/auth/providers-unknown'), init)
    const client = createSessionClient({ baseUrl: BASE, fetch: older, tabChannel: false })
    expect(await client.providers()).toEqual({ methods: ['magic-link', 'password'], providers: [] })
  })
})

describe('a token client through the loopback OpenID provider', () => {
  it('signs in with the handoff code and its verifier, merging the anonymous document once', async () => {
    const sent: Sent[] = []
    const client = tokenClientWith(sent, createMemoryVerifierStore())
    const anonymous = await client.me()
    const doc = await client.documents.create({ title: 'Made anonymously', content: '' })

    const { authorizationUrl } = await client.signInWith('loopback', {
      redirectTo: 'http://127.0.0.1:53682/callback',
    })
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    // The system browser a CLI opens: it carries no session, the handoff code stands in for it.
    const callback = await api(await authorizeAt(authorizationUrl, account), { redirect: 'manual' })
    expect(callback.status).toBe(302)
    const returned = callback.headers.get('location') ?? ''

    const signedIn = await client.completeSignInWith(returned)
    expect(signedIn.user).toMatchObject({ email: account.email, isAnonymous: false })
    expect(signedIn.session.id).toBe(anonymous.session.id)
    expect(signedIn.merge).toMatchObject({ from: anonymous.user.id, moved: { documents: 1 } })
    expect(client.getState()).toMatchObject({ status: 'account', user: { id: signedIn.user.id } })
    expect((await client.documents.get(doc.id)).title).toBe('Made anonymously')

    // The return URL again: its verifier is spent, so nothing is sent and nothing merges twice.
    const exchanges = sent.filter((s) => s.path === '/v1/auth/providers/exchange').length
    const again = await caught(client.completeSignInWith(returned))
    expect(again.code).toBe(CLIENT_CODE.provider_sign_in_not_started)
    expect(sent.filter((s) => s.path === '/v1/auth/providers/exchange').length).toBe(exchanges)
  })
  it('links a second provider only when the return comes back to it with its verifier', async () => {
    const sent: Sent[] = []
    const client = tokenClientWith(sent, createMemoryVerifierStore())
    await client.me()
    const first = await client.signInWith('loopback', { redirectTo: 'http://127.0.0.1:53682/cb' })
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const signedIn = await client.completeSignInWith(
      (
        await api(await authorizeAt(first.authorizationUrl, account), { redirect: 'manual' })
      ).headers.get('location') ?? '',
    )

    const { authorizationUrl } = await client.linkIdentity('loopback-untrusted', {
      redirectTo: 'http://127.0.0.1:53682/linked',
    })
    const callback = await api(await authorizeAt(authorizationUrl, providerAccount()), {
      redirect: 'manual',
    })
    const returned = callback.headers.get('location') ?? ''
    expect(new URL(returned).searchParams.has('link_code')).toBe(true)
    // Nothing is linked until this client trades the code.
    expect((await client.identities()).map((i) => i.provider)).toEqual(['loopback'])

    const after = await client.completeSignInWith(returned)
    expect(after.user.id).toBe(signedIn.user.id)
    expect((await client.identities()).map((i) => i.provider).sort()).toEqual([
      'loopback',
      'loopback-untrusted',
    ])
    expect(sent.filter((s) => s.path === '/v1/me/identities/exchange')).toHaveLength(1)
  })
})
