import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  CookieJar,
  countRows,
  createAccountInJar,
  createTokenSession,
  expectError,
  post,
  uniqueEmail,
} from '../../helpers'
import { SoftwareAuthenticator } from '../passkeys/authenticator'
import { signUp } from '../passkeys/flows'
import {
  APP_RETURN,
  authorizeAt,
  pkcePair,
  providerAccount,
  redirectParams,
  signInInBrowser,
  type ProviderAccount,
} from './loopback'

const ADMIN = bearer('test-admin-token-0123456789')

interface Identity {
  id: string
  provider: string
  email: string | null
  emailVerified: boolean
}

async function me(jar: CookieJar) {
  const res = await jar.fetch('/v1/me')
  expect(res.status).toBe(200)
  return (await res.json<{ user: { id: string; email: string | null; role: string } }>()).user
}

async function identities(jar: CookieJar): Promise<Identity[]> {
  const res = await jar.fetch('/v1/me/identities')
  expect(res.status).toBe(200)
  return (await res.json<{ identities: Identity[] }>()).identities
}

/** An account made by registering its email (proven by the confirmation), signed in in `jar`. */
async function provenAccount(email = uniqueEmail()) {
  const jar = new CookieJar()
  expect((await createAccountInJar(jar, email)).status).toBe(200)
  return { jar, id: (await me(jar)).id, email }
}

async function linkFrom(jar: CookieJar, account: ProviderAccount, provider = 'loopback') {
  const start = await jar.fetch(`/v1/me/identities/${provider}/start`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ redirectTo: APP_RETURN }),
  })
  expect(start.status).toBe(200)
  const { authorizationUrl } = await start.json<{ authorizationUrl: string }>()
  return redirectParams(
    await jar.fetch(await authorizeAt(authorizationUrl, account), { redirect: 'manual' }),
  )
}

describe('who a person signing in with a provider becomes', () => {
  it("joins the account of a trusted provider's verified email, which counts as a proven mailbox", async () => {
    const owner = await provenAccount()
    const jar = new CookieJar()
    const res = await signInInBrowser(
      jar,
      providerAccount({ email: owner.email, email_verified: true }),
    )
    expect(res.headers.get('location')).toBe(APP_RETURN)
    expect((await me(jar)).id).toBe(owner.id)
    expect((await identities(jar)).map((i) => i.provider)).toEqual(['loopback'])
  })

  it('does not link an unverified email that matches an account: sign in there and link', async () => {
    const owner = await provenAccount()
    const jar = new CookieJar()
    const res = await signInInBrowser(
      jar,
      providerAccount({ email: owner.email, email_verified: false }),
    )
    expect(redirectParams(res).get('error')).toBe('identity_email_in_use')
    expect(
      await countRows('select count(*) as n from identities where user_id = ?', owner.id),
    ).toBe(0)
  })

  it('does not link a verified email from a provider whose verification is not trusted', async () => {
    const owner = await provenAccount()
    const jar = new CookieJar()
    const account = providerAccount({ email: owner.email, email_verified: true })
    const res = await signInInBrowser(jar, account, 'loopback-untrusted')
    expect(redirectParams(res).get('error')).toBe('identity_email_in_use')
  })

  it('makes a new account without an email for an unverified one, storing it on the identity', async () => {
    const jar = new CookieJar()
    const email = uniqueEmail()
    await signInInBrowser(jar, providerAccount({ email, email_verified: false }))
    const user = await me(jar)
    expect(user.id).toMatch(/^usr_/)
    expect(user.email).toBeNull()
    expect(await identities(jar)).toMatchObject([
      { provider: 'loopback', email, emailVerified: false },
    ])
  })

  it('grants ADMIN_EMAILS only through a trusted verified email', async () => {
    const untrusted = new CookieJar()
    const claims = { email: 'boss@example.com', email_verified: true }
    await signInInBrowser(untrusted, providerAccount(claims), 'loopback-untrusted')
    expect((await me(untrusted)).role).toBe('user')
    const trusted = new CookieJar()
    await signInInBrowser(trusted, providerAccount(claims))
    expect((await me(trusted)).role).toBe('admin')
  })
})

describe('linking and unlinking identities', () => {
  it('links another provider to the signed-in account, and refuses one another account has', async () => {
    const owner = await provenAccount()
    expect((await linkFrom(owner.jar, providerAccount())).get('linked')).toBe('loopback')
    expect(await identities(owner.jar)).toHaveLength(1)

    const elsewhere = providerAccount()
    await signInInBrowser(new CookieJar(), elsewhere)
    expect((await linkFrom(owner.jar, elsewhere)).get('error')).toBe('identity_taken')
    expect(await identities(owner.jar)).toHaveLength(1)
  })

  it('refuses to unlink the last way to sign in, and unlinks once another exists', async () => {
    const jar = new CookieJar()
    await signInInBrowser(jar, providerAccount())
    const [only] = await identities(jar)
    const unlink = (id: string) => jar.fetch(`/v1/me/identities/${id}`, { method: 'DELETE' })
    await expectError(await unlink(only!.id), 409, 'last_sign_in_method')

    expect((await linkFrom(jar, providerAccount(), 'loopback-untrusted')).get('linked')).toBe(
      'loopback-untrusted',
    )
    expect((await unlink(only!.id)).status).toBe(204)
    expect((await identities(jar)).map((i) => i.provider)).toEqual(['loopback-untrusted'])
  })

  it("links nothing for whoever opens a token client's link URL: the link waits for its verifier", async () => {
    // An attacker's account starts a link as a token client and mails the provider URL to a victim.
    const attacker = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    const { verifier, challenge } = await pkcePair()
    const start = await post(
      '/v1/me/identities/loopback/start',
      { redirectTo: 'http://127.0.0.1:53682/linked', codeChallenge: challenge },
      bearer(attacker.tokens.accessToken),
    )
    expect(start.status).toBe(200)
    const { authorizationUrl } = await start.json<{ authorizationUrl: string }>()
    const victim = providerAccount()
    const callback = await authorizeAt(authorizationUrl, victim)
    const back = redirectParams(await api(callback, { redirect: 'manual' }))
    // Nothing is linked at the callback: the victim's identity is not the attacker's way in.
    expect(back.get('linked')).toBeNull()
    const listed = async () =>
      (
        await (
          await api('/v1/me/identities', { headers: bearer(attacker.tokens.accessToken) })
        ).json<{ identities: Identity[] }>()
      ).identities
    expect(await listed()).toEqual([])
    // The victim's own sign-in with that identity gets an account of their own.
    const jar = new CookieJar()
    await signInInBrowser(jar, victim)
    expect((await me(jar)).id).not.toBe(attacker.user.id)

    // The starting client, with its verifier, could have linked it; the sign-in exchange never can.
    const code = back.get('link_code')!
    await expectError(
      await post('/v1/auth/providers/exchange', { code, codeVerifier: verifier }),
      400,
      'invalid_handoff',
    )
  })

  it('counts a linked identity as a way in when the last passkey goes, and the reverse', async () => {
    const account = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    const token = account.tokens.accessToken
    const { verifier, challenge } = await pkcePair()
    const start = await post(
      '/v1/me/identities/loopback/start',
      { redirectTo: 'http://127.0.0.1:53682/linked', codeChallenge: challenge },
      bearer(token),
    )
    expect(start.status).toBe(200)
    const { authorizationUrl } = await start.json<{ authorizationUrl: string }>()
    const callback = await authorizeAt(authorizationUrl, providerAccount())
    const code = redirectParams(await api(callback, { redirect: 'manual' })).get('link_code')!
    // A token client's link ends when it trades the code with its verifier, as its account.
    const linked = await post(
      '/v1/me/identities/exchange',
      { code, codeVerifier: verifier },
      bearer(token),
    )
    expect(linked.status).toBe(200)
    expect(await linked.json()).toEqual({ linked: 'loopback' })
    const removePasskey = await api(`/v1/me/passkeys/${account.passkey.id}`, {
      method: 'DELETE',
      headers: bearer(token),
    })
    expect(removePasskey.status).toBe(204)
    const listed = await api('/v1/me/identities', { headers: bearer(token) })
    const [identity] = (await listed.json<{ identities: Identity[] }>()).identities
    const unlink = await api(`/v1/me/identities/${identity!.id}`, {
      method: 'DELETE',
      headers: bearer(token),
    })
    await expectError(unlink, 409, 'last_sign_in_method')
  })

  it("erases an account's identities with it, so the identity later starts afresh", async () => {
    const account = providerAccount()
    const first = new CookieJar()
    await signInInBrowser(first, account)
    const { id } = await me(first)
    expect((await api(`/v1/admin/users/${id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(
      204,
    )
    expect(await countRows('select count(*) as n from identities where user_id = ?', id)).toBe(0)
    const again = new CookieJar()
    expect((await signInInBrowser(again, account)).headers.get('location')).toBe(APP_RETURN)
    expect((await me(again)).id).not.toBe(id)
  })

  it('lets an administrator list and remove identities, even the last', async () => {
    const jar = new CookieJar()
    await signInInBrowser(jar, providerAccount())
    const { id } = await me(jar)
    const listed = await api(`/v1/admin/users/${id}/identities`, { headers: ADMIN })
    expect(listed.status).toBe(200)
    const [identity] = (await listed.json<{ identities: Identity[] }>()).identities
    const removed = await api(`/v1/admin/users/${id}/identities/${identity!.id}`, {
      method: 'DELETE',
      headers: ADMIN,
    })
    expect(removed.status).toBe(204)
    expect(await identities(jar)).toEqual([])
  })
})
