/**
 * The SDK reading a provider's return for an account with an authenticator app: the callback
 * sends the browser back with `?second_factor=<challenge>` (the loopback OpenID provider,
 * test/identity/providers/global-setup.mjs), and the page that loads there must land in the same
 * `second_factor_required` state a password sign-in leaves, then finish with `mfa.verify()`.
 */
import { describe, expect, it } from 'vitest'
import {
  createSessionClient,
  providerReturnSecondFactor,
  SecondFactorRequiredError,
} from '../../../src/sdk/client'
import { CLIENT_CODE } from '../../../src/contract/error-codes'
import { BASE, CookieJar, uniqueEmail } from '../../helpers'
import { codeAt } from '../../identity/factors/factors'
import {
  APP_RETURN,
  authorizeAt,
  providerAccount,
  redirectParams,
  signInInBrowser,
  type ProviderAccount,
} from '../../identity/providers/loopback'
import { workerFetch } from './worker-fetch'

/** A page's client on the service, its cookies in `jar` as the browser keeps them. */
const pageClient = (jar: CookieJar) =>
  createSessionClient({ baseUrl: BASE, fetch: workerFetch([], jar), tabChannel: false })

/** A provider account whose service account has a confirmed authenticator app; its secret. */
async function accountWithApp(account: ProviderAccount): Promise<string> {
  const jar = new CookieJar()
  const client = pageClient(jar)
  await client.me()
  expect(redirectParams(await signInInBrowser(jar, account)).toString()).toBe('')
  await client.me()
  const { secret } = await client.mfa.enrolTotp()
  await client.mfa.confirmTotp(codeAt(secret))
  await client.logout()
  return secret
}

describe('a return URL with ?second_factor=', () => {
  it('reads the challenge, the two methods and an expiry 5 minutes away at most', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(providerReturnSecondFactor(`${APP_RETURN}?second_factor=sess_x.secret`, now)).toEqual({
      secondFactorRequired: true,
      challenge: 'sess_x.secret',
      methods: ['totp', 'recovery_code'],
      expiresAt: '2026-01-01T00:05:00.000Z',
    })
    expect(providerReturnSecondFactor(`${APP_RETURN}?error=session_required`)).toBeNull()
    expect(providerReturnSecondFactor(APP_RETURN)).toBeNull()
  })
})

describe('completeSignInWith after a provider sign-in of an account with an authenticator app', () => {
  it('leaves the state second_factor_required, and the code signs in and merges once', async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const secret = await accountWithApp(account)

    const visitor = new CookieJar()
    const before = pageClient(visitor)
    const anonymous = await before.me()
    const doc = await before.documents.create({ title: 'Made anonymously', content: '' })
    const { authorizationUrl } = await before.signInWith('loopback', {
      redirectTo: APP_RETURN,
      open: () => undefined,
    })
    const callback = await visitor.fetch(await authorizeAt(authorizationUrl, account), {
      redirect: 'manual',
    })
    const returned = callback.headers.get('location') ?? ''
    expect(new URL(returned).searchParams.get('second_factor')).toBeTruthy()

    // The page the browser returns to: a new client, nothing known yet.
    const client = pageClient(visitor)
    const error = await client.completeSignInWith(returned).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SecondFactorRequiredError)
    expect(error).toMatchObject({
      code: CLIENT_CODE.needs_second_factor,
      challenge: new URL(returned).searchParams.get('second_factor'),
      methods: ['totp', 'recovery_code'],
    })
    const pending = client.getState()
    expect(pending).toMatchObject({
      status: 'second_factor_required',
      challenge: new URL(returned).searchParams.get('second_factor'),
      methods: ['totp', 'recovery_code'],
      user: { id: anonymous.user.id, isAnonymous: true },
    })
    if (pending.status !== 'second_factor_required') throw new Error('unreachable')
    expect(Date.parse(pending.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000)
    // A page's first `me()` answering late (React's provider loads one) keeps the code step.
    await client.me()
    expect(client.getState().status).toBe('second_factor_required')

    const signedIn = await client.mfa.verify({ code: codeAt(secret, 1) })
    expect(signedIn.user).toMatchObject({ email: account.email, isAnonymous: false })
    expect(signedIn.merge).toMatchObject({ from: anonymous.user.id, moved: { documents: 1 } })
    expect(client.getState()).toMatchObject({ status: 'account', user: { id: signedIn.user.id } })
    expect((await client.documents.get(doc.id)).title).toBe('Made anonymously')
  })
})
