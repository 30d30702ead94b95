/**
 * A method added after the second factor is gated by it too: a provider sign-in (a real
 * oidc-provider on loopback) of an account with an authenticator app sends the browser back with
 * `?second_factor=<challenge>` and no session; the code, from that browser, signs it in.
 */
import { describe, expect, it } from 'vitest'
import { CookieJar, expectError, uniqueEmail } from '../../helpers'
import { APP_RETURN, providerAccount, redirectParams, signInInBrowser } from '../providers/loopback'
import { codeAt } from './factors'

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

async function me(jar: CookieJar) {
  const res = await jar.fetch('/v1/me')
  expect(res.status).toBe(200)
  return (await res.json<{ user: { id: string; isAnonymous: boolean } }>()).user
}

describe('a provider sign-in of an account with an authenticator app', () => {
  it('goes back with a challenge and no session, and the code signs that browser in', async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const jar = new CookieJar()
    await me(jar)
    const first = await signInInBrowser(jar, account)
    expect(first.headers.get('location')).toBe(APP_RETURN)
    const { id: accountId } = await me(jar)
    const enrolled = await jar.fetch('/v1/me/factors/totp', json({}))
    expect(enrolled.status).toBe(200)
    const { secret } = await enrolled.json<{ secret: string }>()
    expect(
      (await jar.fetch('/v1/me/factors/totp/confirm', json({ code: codeAt(secret) }))).status,
    ).toBe(200)
    expect((await jar.fetch('/v1/auth/logout', json({}))).status).toBeLessThan(300)

    const visitor = new CookieJar()
    const anonymous = await me(visitor)
    const params = redirectParams(await signInInBrowser(visitor, account))
    const challenge = params.get('second_factor')
    expect(challenge).toBeTruthy()
    expect(await me(visitor)).toMatchObject({ id: anonymous.id, isAnonymous: true })
    // Bound to the browser that started: another one cannot answer it.
    await expectError(
      await new CookieJar().fetch(
        '/v1/auth/second-factor',
        json({ challenge, code: codeAt(secret, 1) }),
      ),
      401,
      'session_required',
    )
    const res = await visitor.fetch(
      '/v1/auth/second-factor',
      json({ challenge, code: codeAt(secret, 1) }),
    )
    expect(res.status).toBe(200)
    expect(await me(visitor)).toMatchObject({ id: accountId, isAnonymous: false })
  })
})
