import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  PBKDF2_ITERATIONS,
  hashPassword,
  verifyPassword,
} from '../../src/identity/credentials/passwords'
import { loginBackoffSeconds } from '../../src/identity/credentials/login-backoff'
import {
  bearer,
  CookieJar,
  createAccount,
  createAccountInJar,
  createTokenSession,
  expectError,
  mailedConfirmation,
  mailedLinkToken,
  post,
  postAuth,
  refreshWithToken,
  readOutbox,
  runtime,
  type TokenSession,
  type SignInBody,
  uniqueEmail,
} from '../helpers'

const PASSWORD = 'correct horse battery'

const registerAs = (email: string, from?: TokenSession, password = PASSWORD) =>
  createAccount(email, password, from)
const loginAs = (email: string, password: string, from?: TokenSession) =>
  postAuth('/v1/auth/login', { email, password }, from)

describe('register', () => {
  it('creates the account under the normalised email once the confirmation comes back', async () => {
    const email = uniqueEmail()
    const anon = await createTokenSession()
    const res = await postAuth(
      '/v1/auth/register',
      { email: ` ${email.toUpperCase()} `, password: PASSWORD },
      anon,
    )
    expect(res.status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const confirmed = await postAuth('/v1/auth/register/confirm', { token }, anon)
    expect(confirmed.status).toBe(200)
    const body = await confirmed.json<SignInBody>()
    expect(body.user).toMatchObject({ email, isAnonymous: false, role: 'user' })
    expect(body.user.id).toMatch(/^usr_/)
    expect(body.tokens?.refreshToken).toMatch(/^sess_/)
  })

  it('upgrades an anonymous session: same session id, new secret, a merge report with zero counts', async () => {
    const anon = await createTokenSession()
    const body = await (await registerAs(uniqueEmail(), anon)).json<SignInBody>()
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.tokens!.refreshToken).not.toBe(anon.refreshToken)
    expect(body.merge).toEqual({
      from: anon.userId,
      into: body.user.id,
      moved: { documents: 0, preferences: 0, secrets: 0, oauth: 0 },
      conflicts: [],
    })
    const tomb = await env.DB.prepare('select merged_into from users where id = ?')
      .bind(anon.userId)
      .first<{ merged_into: string }>()
    expect(tomb?.merged_into).toBe(body.user.id)
    // The anonymous trail moved with the user.
    const moved = await env.DB.prepare(
      "select count(*) as n from audit_events where user_id = ? and type = 'session.created'",
    )
      .bind(body.user.id)
      .first<{ n: number }>()
    expect(moved?.n).toBe(1)
    // The anonymous refresh token is refused, without ending the session it belonged to.
    await expectError(await refreshWithToken(anon.refreshToken), 401, 'refresh_token_superseded')
    expect((await refreshWithToken(body.tokens!.refreshToken)).status).toBe(200)
  })

  it('creates exactly 10 accounts from 50 concurrent confirmations with 10 emails', async () => {
    // Five each: an address gets at most five confirmation mails an hour.
    const emails = Array.from({ length: 10 }, uniqueEmail)
    const sessions = await Promise.all(Array.from({ length: 50 }, createTokenSession))
    const registered = await Promise.all(
      sessions.map((s, i) =>
        postAuth('/v1/auth/register', { email: emails[i % 10]!, password: PASSWORD }, s),
      ),
    )
    expect(registered.map((r) => r.status)).toEqual(Array(50).fill(202))
    const tokens = (await Promise.all(emails.map(readOutbox))).flat().map((m) => m.token)
    expect(tokens).toHaveLength(50)
    const responses = await Promise.all(
      tokens.map((token) => postAuth('/v1/auth/register/confirm', { token })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
    const placeholders = emails.map(() => '?').join(',')
    const rows = await env.DB.prepare(
      `select count(*) as n from users where email in (${placeholders})`,
    )
      .bind(...emails)
      .first<{ n: number }>()
    expect(rows?.n).toBe(10)
  })

  it('rejects passwords shorter than 10 or longer than 256 characters, naming the field', async () => {
    for (const password of ['short', 'x'.repeat(257)]) {
      const res = await postAuth('/v1/auth/register', { email: uniqueEmail(), password })
      const body = await res.json<{ error: { code: string; message: string } }>()
      expect(res.status).toBe(400)
      expect(body.error.message).toContain('body.password')
    }
  })
})

describe('login', () => {
  it('signs in with the right password and merges the anonymous caller into the existing account', async () => {
    const email = uniqueEmail()
    const account = await (await registerAs(email)).json<SignInBody>()
    const anon = await createTokenSession()
    const res = await loginAs(email, PASSWORD, anon)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user.id).toBe(account.user.id)
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.merge).toMatchObject({ from: anon.userId, into: account.user.id })
  })

  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const email = uniqueEmail()
    await registerAs(email)
    const wrong = await loginAs(email, 'not the password')
    const unknown = await loginAs(uniqueEmail(), 'not the password')
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(await wrong.json()).toEqual(await unknown.json())
  })

  it('round-trips a 128-character password and refuses it with its last character changed', async () => {
    const email = uniqueEmail()
    const long = 'p'.repeat(127) + 'Z'
    expect((await registerAs(email, undefined, long)).status).toBe(200)
    expect((await loginAs(email, long)).status).toBe(200)
    await expectError(await loginAs(email, 'p'.repeat(127) + 'Y'), 401, 'invalid_credentials')
  })

  it('backs off after repeated failures, while the owner can still get in by magic link', async () => {
    const email = uniqueEmail()
    await registerAs(email)
    for (let i = 0; i < 5; i++)
      await expectError(await loginAs(email, 'wrong password!'), 401, 'invalid_credentials')
    const locked = await loginAs(email, PASSWORD)
    await expectError(locked, 429, 'rate_limited')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    const token = await mailedLinkToken(email)
    expect((await postAuth('/v1/auth/magic-link/verify', { token })).status).toBe(200)
  })

  it('changes the session cookie on every sign-in (no session fixation)', async () => {
    const email = uniqueEmail()
    await registerAs(email)
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const seen = new Set([jar.cookies.get('__Host-session')])
    for (let i = 0; i < 2; i++) {
      const res = await jar.fetch('/v1/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      })
      expect(res.status).toBe(200)
      seen.add(jar.cookies.get('__Host-session'))
    }
    expect(seen.size).toBe(3)
  })
})

describe('a tab that raced the sign-in', () => {
  it('gets 401 superseded for its old cookies, and neither clears cookies nor starts a new session', async () => {
    const jar = new CookieJar()
    await jar.fetch('/v1/me')
    const staleTab = new CookieJar()
    staleTab.cookies.set('__Host-session', jar.cookies.get('__Host-session')!)
    const signedIn = await createAccountInJar(jar, uniqueEmail(), PASSWORD)
    expect(signedIn.status).toBe(200)
    const res = await staleTab.fetch('/v1/me')
    await expectError(res, 401, 'refresh_token_superseded')
    expect(res.headers.getSetCookie()).toEqual([])
    // The browser's real jar still works and is the account.
    const me = await (await jar.fetch('/v1/me')).json<SignInBody>()
    expect(me.user.isAnonymous).toBe(false)
  })
})

describe('password change', () => {
  it('changes the password and ends every other session', async () => {
    const email = uniqueEmail()
    const first = await (await registerAs(email)).json<SignInBody>()
    const second = await (await loginAs(email, PASSWORD)).json<SignInBody>()
    const res = await post(
      '/v1/auth/password',
      { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
      bearer(first.tokens!.accessToken),
    )
    expect(res.status).toBe(204)
    await expectError(
      await refreshWithToken(second.tokens!.refreshToken),
      401,
      'invalid_refresh_token',
    )
    expect((await refreshWithToken(first.tokens!.refreshToken)).status).toBe(200)
    await expectError(await loginAs(email, PASSWORD), 401, 'invalid_credentials')
    expect((await loginAs(email, 'a brand new secret')).status).toBe(200)
  })

  it('refuses a wrong current password and an anonymous caller', async () => {
    const email = uniqueEmail()
    const account = await (await registerAs(email)).json<SignInBody>()
    await expectError(
      await post(
        '/v1/auth/password',
        { currentPassword: 'nope nope nope', newPassword: 'another long one' },
        bearer(account.tokens!.accessToken),
      ),
      403,
      'invalid_credentials',
    )
    const anon = await createTokenSession()
    await expectError(
      await post(
        '/v1/auth/password',
        { currentPassword: 'x', newPassword: 'another long one' },
        bearer(anon.accessToken),
      ),
      403,
      'account_required',
    )
  })
})

describe('password hashing', () => {
  it('keeps PBKDF2 at or below the 100,000 iterations Workers allows in production', () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000)
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000)
  })

  it('stores the pepper id and parameters with the hash and verifies in both directions', async () => {
    const { peppers } = await runtime()
    const stored = await hashPassword(peppers, 'some password')
    expect(stored).toMatch(
      /^pbkdf2-sha256-hmac\$[A-Za-z0-9_-]{11}\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
    )
    expect(await verifyPassword(peppers, 'some password', stored)).toEqual({
      match: true,
      outdated: false,
    })
    const noMatch = { match: false }
    expect(await verifyPassword(peppers, 'some passwort', stored)).toEqual(noMatch)
    expect(await verifyPassword(peppers, 'anything', null)).toEqual(noMatch)
    expect(await verifyPassword(peppers, 'anything', 'md5$1$x$y')).toEqual(noMatch)
    expect(await verifyPassword(peppers, 'anything', 'pbkdf2-sha256$1$AAAA$AAAA')).toEqual(noMatch)
  })

  it('grows the back-off after five failures, capped at 15 minutes', () => {
    expect([4, 5, 6, 7, 30].map(loginBackoffSeconds)).toEqual([0, 1, 2, 4, 900])
  })
})
