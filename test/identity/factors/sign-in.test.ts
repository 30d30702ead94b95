/**
 * Signing in to an account with an authenticator app: the first factor (a password, a link, its
 * code) answers 202 with a challenge and nothing else; the second finishes the sign-in through
 * the same pipeline, once per code, within an exact number of tries.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { env } from 'cloudflare:workers'
import {
  anonymousWithDocument,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  jsonHeaders,
  mailedLinkCode,
  mailedLinkToken,
  type SignInBody,
  unlimitedApi,
} from '../../helpers'
import { MAX_FACTOR_TRIES } from '../../../src/identity/factors/queries'
import {
  advance,
  codeAt,
  enrolledAccount,
  expectChallenge,
  PASSWORD,
  postWith,
  type Send,
} from './factors'
import { SoftwareAuthenticator } from '../passkeys/authenticator'
import { signInWith, signUp } from '../passkeys/flows'

afterEach(() => {
  vi.useRealTimers()
})

const login = (send: Send, email: string, extra: Record<string, unknown> = {}, token?: string) =>
  postWith(send, '/v1/auth/login', { email, password: PASSWORD, ...extra }, token)

const answer = (send: Send, body: Record<string, unknown>, token?: string) =>
  postWith(send, '/v1/auth/second-factor', body, token)

describe('1. a password sign-in asks for the second factor', () => {
  it('answers 202 with a challenge and no session, then a wrong code, the right code, and the same code again', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const challenge = await expectChallenge(await login(send, account.email))
    await expectError(await answer(send, { challenge, code: '000000' }), 400, 'invalid_factor_code')
    const code = codeAt(account.secret, 1)
    const signedIn = await answer(send, { challenge, code })
    expect(signedIn.status).toBe(200)
    const body = await signedIn.json<SignInBody>()
    expect(body.user).toMatchObject({ id: account.userId, isAnonymous: false })
    expect(body.tokens.refreshToken).toBeTruthy()
    // A new challenge (the password again) with the code already used: refused.
    const again = await expectChallenge(await login(send, account.email))
    await expectError(await answer(send, { challenge: again, code }), 400, 'invalid_factor_code')
    // The challenge that succeeded is used up.
    await expectError(
      await answer(send, { challenge, code: codeAt(account.secret, 1) }),
      400,
      'invalid_or_expired_challenge',
    )
  })

  it('takes a recovery code once, and not twice', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    expect(account.recoveryCodes).toHaveLength(10)
    const recoveryCode = account.recoveryCodes[3]!
    const first = await expectChallenge(await login(send, account.email))
    expect((await answer(send, { challenge: first, recoveryCode })).status).toBe(200)
    const second = await expectChallenge(await login(send, account.email))
    await expectError(
      await answer(send, { challenge: second, recoveryCode }),
      400,
      'invalid_factor_code',
    )
    expect(
      await countRows(
        "select count(*) as n from audit_events where user_id = ? and type = 'factor.recovery_code_used'",
        account.userId,
      ),
    ).toBe(1)
  })

  it('grants no more than the limit to 20 parallel wrong codes, and then refuses the right one', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const challenge = await expectChallenge(await login(send, account.email))
    const right = codeAt(account.secret, 1)
    const wrong = Array.from({ length: 20 }, (_, i) => {
      const guess = String(100000 + i)
      return guess === right ? '999999' : guess
    })
    const answers = await Promise.all(wrong.map((code) => answer(send, { challenge, code })))
    const statuses = answers.map((res) => res.status)
    expect(statuses.filter((s) => s === 400)).toHaveLength(MAX_FACTOR_TRIES)
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - MAX_FACTOR_TRIES)
    await expectError(await answer(send, { challenge, code: right }), 429, 'rate_limited')
    expect(
      await countRows('select tries as n from second_factors where user_id = ?', account.userId),
    ).toBe(MAX_FACTOR_TRIES)
  })

  it('gives an account without a factor its session at once, as before', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    await env.DB.prepare('delete from second_factors where user_id = ?').bind(account.userId).run()
    expect((await login(send, account.email)).status).toBe(200)
  })
})

describe('2. a link sign-in is gated the same way', () => {
  it('asks for the factor after a magic link, and after its code', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const token = await mailedLinkToken(account.email)
    const challenge = await expectChallenge(
      await postWith(send, '/v1/auth/magic-link/verify', { token }),
    )
    expect((await answer(send, { challenge, code: codeAt(account.secret, 1) })).status).toBe(200)

    const asking = await createTokenSession()
    await mailedLinkToken(account.email, asking)
    const code = await mailedLinkCode(account.email)
    const byCode = await postWith(
      send,
      '/v1/auth/magic-link/code',
      { email: account.email, code, refreshToken: asking.refreshToken },
      asking.accessToken,
    )
    await expectChallenge(byCode)
  })
})

describe("3. an anonymous session's data merges once, after the factor", () => {
  it('merges nothing at the password, then everything once at the code', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const anon = await anonymousWithDocument()
    const challenge = await expectChallenge(
      await login(send, account.email, { refreshToken: anon.refreshToken }, anon.accessToken),
    )
    // Nothing moved, nothing merged: the document is still the anonymous user's.
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(0)
    // Only the session that signed in may answer.
    await expectError(
      await answer(send, { challenge, code: codeAt(account.secret, 1) }),
      401,
      'session_required',
    )
    const res = await answer(
      send,
      { challenge, code: codeAt(account.secret, 1), refreshToken: anon.refreshToken },
      anon.accessToken,
    )
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.merge).toMatchObject({ from: anon.userId, moved: { documents: 1 } })
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(1)
    expect(
      await countRows('select count(*) as n from documents where user_id = ?', account.userId),
    ).toBe(1)
  })
})

describe('4. pending challenges end with the kill switch and logout-all', () => {
  it('refuses a challenge made before logout-all', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const challenge = await expectChallenge(await login(send, account.email))
    advance(1_000)
    const out = await send('/v1/auth/logout-all', {
      method: 'POST',
      headers: jsonHeaders(bearer(account.session.accessToken)),
      body: '{}',
    })
    expect(out.status).toBeLessThan(300)
    await expectError(
      await answer(send, { challenge, code: codeAt(account.secret, 1) }),
      400,
      'invalid_or_expired_challenge',
    )
  })

  it('expires after five minutes', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const challenge = await expectChallenge(await login(send, account.email))
    advance(5 * 60_000 + 1_000)
    await expectError(
      await answer(send, { challenge, code: codeAt(account.secret) }),
      400,
      'invalid_or_expired_challenge',
    )
  })

  it('refuses a challenge made before the kill switch', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const challenge = await expectChallenge(await login(send, account.email))
    await new Promise((resolve) => setTimeout(resolve, 5))
    const killed = await send('/v1/admin/kill-switch', {
      method: 'POST',
      headers: jsonHeaders(bearer(String(env.ADMIN_TOKEN))),
    })
    expect(killed.status).toBe(200)
    await expectError(
      await answer(send, { challenge, code: codeAt(account.secret, 1) }),
      400,
      'invalid_or_expired_challenge',
    )
    // Access tokens carry whole seconds: let the switch's own second pass before the next test.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
  })
})

describe('5. a passkey counts as both factors', () => {
  it('signs an account with an authenticator app in with its passkey alone', async () => {
    const send = await unlimitedApi()
    const authenticator = await SoftwareAuthenticator.create()
    const account = await signUp(authenticator, await createTokenSession())
    const token = account.tokens.accessToken
    const enrolled = await postWith(send, '/v1/me/factors/totp', {}, token)
    const { secret } = await enrolled.json<{ secret: string }>()
    const confirmed = await postWith(
      send,
      '/v1/me/factors/totp/confirm',
      { code: codeAt(secret) },
      token,
    )
    expect(confirmed.status).toBe(200)
    const res = await signInWith(authenticator, await createTokenSession())
    expect(res.status).toBe(200)
    expect((await res.json<SignInBody>()).user.id).toBe(account.user.id)
  })
})
