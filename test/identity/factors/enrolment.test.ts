/**
 * The account's own authenticator app: enrolling needs a recent proof and answers a URI and QR
 * code, disabling needs a recent proof AND a code, a factor code counts as the recent proof
 * (step-up), recovery codes regenerate, and every change is audited. Support lists and removes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { env } from 'cloudflare:workers'
import {
  api,
  BASE,
  bearer,
  countRows,
  createAccount,
  expectError,
  jsonHeaders,
  refreshWithToken,
  type SignInBody,
  unlimitedApi,
} from '../../helpers'
// @ts-expect-error: the CLI is plain JavaScript, typed by its use here
import { createAdminClient } from '../../../cli/admin-client.mjs'
import { advance, codeAt, enrolledAccount, expectChallenge, PASSWORD, postWith } from './factors'

afterEach(() => {
  vi.useRealTimers()
})

/** Six minutes later: the enrolling session's sign-in and its code are no longer recent. */
async function staleToken(refreshToken: string): Promise<string> {
  advance(6 * 60_000)
  const refreshed = await refreshWithToken(refreshToken)
  expect(refreshed.status).toBe(200)
  return (await refreshed.json<SignInBody>()).tokens.accessToken
}

describe('5. step-up: changes to factors need a recent sign-in or a factor code', () => {
  it('refuses to disable the factor from a stale session, even with a code', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const tokens = { accessToken: await staleToken(account.session.refreshToken) }
    const disabled = await postWith(
      send,
      '/v1/me/factors/totp/disable',
      { code: codeAt(account.secret) },
      tokens.accessToken,
    )
    await expectError(disabled, 403, 'recent_sign_in_required')
    await expectError(
      await postWith(send, '/v1/me/factors/recovery-codes', {}, tokens.accessToken),
      403,
      'recent_sign_in_required',
    )
    expect(
      await countRows('select count(*) as n from second_factors where user_id = ?', account.userId),
    ).toBe(1)
  })

  it('counts a factor code as the recent proof: then disabling works and sign-ins stop asking', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const token = await staleToken(account.session.refreshToken)
    await expectError(
      await postWith(send, '/v1/me/factors/recovery-codes', {}, token),
      403,
      'recent_sign_in_required',
    )
    const stepUp = await postWith(
      send,
      '/v1/me/factors/verify',
      { code: codeAt(account.secret, 1) },
      token,
    )
    expect(stepUp.status).toBe(204)
    // Disabling needs a code of its own, besides the recent proof.
    await expectError(
      await postWith(send, '/v1/me/factors/totp/disable', {}, token),
      400,
      'invalid_request',
    )
    const disabled = await postWith(
      send,
      '/v1/me/factors/totp/disable',
      { recoveryCode: account.recoveryCodes[0] },
      token,
    )
    expect(disabled.status).toBe(204)
    const login = await postWith(send, '/v1/auth/login', {
      email: account.email,
      password: PASSWORD,
    })
    expect(login.status).toBe(200)
    const types = await env.DB.prepare(
      "select type from audit_events where user_id = ? and type like 'factor.%' order by at",
    )
      .bind(account.userId)
      .all<{ type: string }>()
    expect(new Set(types.results.map((row) => row.type))).toEqual(
      new Set([
        'factor.totp_enrolled',
        'factor.totp_confirmed',
        'factor.passed',
        'factor.recovery_code_used',
        'factor.totp_disabled',
      ]),
    )
  })

  it('asks an account with a factor for the step-up to change its password, even with the current one', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const change = await postWith(
      send,
      '/v1/auth/password',
      { currentPassword: PASSWORD, newPassword: 'another long password' },
      await staleToken(account.session.refreshToken),
    )
    await expectError(change, 403, 'recent_sign_in_required')
  })
})

describe('6. enrolment and recovery codes', () => {
  it('refuses a wrong first code and a second enrolment once confirmed', async () => {
    const send = await unlimitedApi()
    const created = await (
      await createAccount(undefined, PASSWORD, undefined, send)
    ).json<SignInBody>()
    const token = created.tokens.accessToken
    const enrolled = await postWith(send, '/v1/me/factors/totp', {}, token)
    const { secret } = await enrolled.json<{ secret: string }>()
    await expectError(
      await postWith(
        send,
        '/v1/me/factors/totp/confirm',
        { code: '123456' === codeAt(secret) ? '654321' : '123456' },
        token,
      ),
      400,
      'invalid_factor_code',
    )
    // Not confirmed: a sign-in does not ask for it yet.
    const listed = await send('/v1/me/factors', { headers: bearer(token) })
    expect(await listed.json()).toMatchObject({ totp: { confirmed: false }, recoveryCodesLeft: 0 })
    expect(
      (await postWith(send, '/v1/me/factors/totp/confirm', { code: codeAt(secret) }, token)).status,
    ).toBe(200)
    await expectError(
      await postWith(send, '/v1/me/factors/totp', {}, token),
      409,
      'factor_already_enrolled',
    )
  })

  it('limits the tries at the first code too', async () => {
    const send = await unlimitedApi()
    const created = await (
      await createAccount(undefined, PASSWORD, undefined, send)
    ).json<SignInBody>()
    const token = created.tokens.accessToken
    const { secret } = await (
      await postWith(send, '/v1/me/factors/totp', {}, token)
    ).json<{ secret: string }>()
    const right = codeAt(secret)
    const wrong = right === '123456' ? '654321' : '123456'
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        postWith(send, '/v1/me/factors/totp/confirm', { code: wrong }, token),
      ),
    )
    expect(answers.map((res) => res.status).sort()).toEqual([
      400, 400, 400, 400, 400, 429, 429, 429,
    ])
    await expectError(
      await postWith(send, '/v1/me/factors/totp/confirm', { code: right }, token),
      429,
      'rate_limited',
    )
  })

  it('stores the secret sealed and the recovery codes hashed', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const row = await env.DB.prepare(
      'select totp_secret_sealed as s from second_factors where user_id = ?',
    )
      .bind(account.userId)
      .first<{ s: string }>()
    expect(row!.s).not.toContain(account.secret)
    const hashes = await env.DB.prepare(
      'select code_hash as h from recovery_codes where user_id = ?',
    )
      .bind(account.userId)
      .all<{ h: string }>()
    expect(hashes.results).toHaveLength(10)
    for (const code of account.recoveryCodes)
      expect(hashes.results.some((r) => r.h.includes(code.replace(/-/g, '')))).toBe(false)
  })

  it('regenerates recovery codes: the old ones stop working', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const res = await postWith(
      send,
      '/v1/me/factors/recovery-codes',
      {},
      account.session.accessToken,
    )
    expect(res.status).toBe(200)
    const { recoveryCodes } = await res.json<{ recoveryCodes: string[] }>()
    expect(recoveryCodes).toHaveLength(10)
    const challenge = await expectChallenge(
      await postWith(send, '/v1/auth/login', { email: account.email, password: PASSWORD }),
    )
    await expectError(
      await postWith(send, '/v1/auth/second-factor', {
        challenge,
        recoveryCode: account.recoveryCodes[0],
      }),
      400,
      'invalid_factor_code',
    )
    const ok = await postWith(send, '/v1/auth/second-factor', {
      challenge,
      recoveryCode: recoveryCodes[0],
    })
    expect(ok.status).toBe(200)
  })
})

describe('7. support lists and removes a factor', () => {
  it('shows the factor without its secret and removes it', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const admin = jsonHeaders(bearer(String(env.ADMIN_TOKEN)))
    const listed = await api(`/v1/admin/users/${account.userId}/factors`, { headers: admin })
    expect(listed.status).toBe(200)
    const body = await listed.json<Record<string, unknown>>()
    expect(body).toMatchObject({ totp: { confirmed: true }, recoveryCodesLeft: 10 })
    expect(JSON.stringify(body)).not.toContain(account.secret)
    const removed = await api(`/v1/admin/users/${account.userId}/factors`, {
      method: 'DELETE',
      headers: admin,
    })
    expect(removed.status).toBe(204)
    expect(
      (await postWith(send, '/v1/auth/login', { email: account.email, password: PASSWORD })).status,
    ).toBe(200)
    const again = await api(`/v1/admin/users/${account.userId}/factors`, {
      method: 'DELETE',
      headers: admin,
    })
    await expectError(again, 404, 'not_found')
  })

  it('is what the CLI lists and removes', async () => {
    const send = await unlimitedApi()
    const account = await enrolledAccount(send)
    const client = createAdminClient({
      url: BASE,
      token: String(env.ADMIN_TOKEN),
      fetch: (url: string, init: RequestInit) => api(url.slice(BASE.length), init),
    })
    expect(await client.listFactors(account.userId)).toMatchObject({ totp: { confirmed: true } })
    expect(await client.removeFactors(account.userId)).toBeNull()
    expect(await client.listFactors(account.userId)).toEqual({ totp: null, recoveryCodesLeft: 0 })
    expect(await client.listPasskeys(account.userId)).toEqual({ passkeys: [] })
  })
})
