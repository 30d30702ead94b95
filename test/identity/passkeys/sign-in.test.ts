import { describe, expect, it } from 'vitest'
import {
  anonymousWithDocument,
  api,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  sessionOf,
  type SignInBody,
} from '../../helpers'
import { SoftwareAuthenticator } from './authenticator'
import { askOptions, signInWith, signUp, verify } from './flows'

async function passkeyAccount() {
  const authenticator = await SoftwareAuthenticator.create()
  const account = await signUp(authenticator, await createTokenSession())
  return { authenticator, account }
}

describe('sign in with a passkey', () => {
  it('signs a fresh anonymous session into the account and merges its document once', async () => {
    const { authenticator, account } = await passkeyAccount()
    const fresh = await anonymousWithDocument()
    const res = await signInWith(authenticator, fresh)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user).toMatchObject({ id: account.user.id, isAnonymous: false, email: null })
    expect(body.session.id).toBe(fresh.sessionId)
    expect(body.merge).toMatchObject({ from: fresh.userId, into: account.user.id })
    expect(body.merge!.moved.documents).toBe(1)
    const docs = await api('/v1/documents', { headers: bearer(body.tokens.accessToken) })
    expect((await docs.json<{ documents: unknown[] }>()).documents).toHaveLength(1)
    expect(
      await countRows(
        "select count(*) as n from audit_events where type = 'passkey.used' and user_id = ?",
        account.user.id,
      ),
    ).toBe(1)
  })

  it('signs in from no session: the options start one, and that session signs in', async () => {
    const { authenticator, account } = await passkeyAccount()
    const { options, tokens } = await askOptions('sign-in')
    expect(tokens?.refreshToken).toMatch(/^sess_/)
    const started = { userId: '', sessionId: tokens!.refreshToken.split('.')[0]!, ...tokens! }
    const res = await verify('sign-in', started, await authenticator.assert(options))
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user.id).toBe(account.user.id)
    expect(body.session.id).toBe(started.sessionId)
  })

  it('refuses a replayed assertion: its challenge was used', async () => {
    const { authenticator } = await passkeyAccount()
    const anon = await createTokenSession()
    const { options } = await askOptions('sign-in', anon)
    const assertion = await authenticator.assert(options)
    const first = await verify('sign-in', anon, assertion)
    expect(first.status).toBe(200)
    const again = sessionOf(await first.json<SignInBody>())
    await expectError(
      await verify('sign-in', again, assertion),
      400,
      'invalid_or_expired_challenge',
    )
  })

  it('refuses an assertion for another origin or RP ID', async () => {
    const { authenticator } = await passkeyAccount()
    for (const ceremony of [{ origin: 'https://evil.example.net' }, { rpId: 'evil.example.net' }]) {
      const res = await signInWith(authenticator, await createTokenSession(), ceremony)
      await expectError(res, 401, 'passkey_rejected')
    }
  })

  it('refuses a cloned authenticator: a counter going back', async () => {
    const { authenticator } = await passkeyAccount()
    const clone = authenticator.clone()
    expect(
      (await signInWith(authenticator, await createTokenSession(), { counter: 5 })).status,
    ).toBe(200)
    const res = await signInWith(clone, await createTokenSession(), { counter: 3 })
    await expectError(res, 401, 'passkey_rejected')
    const same = await signInWith(clone, await createTokenSession(), { counter: 5 })
    await expectError(same, 401, 'passkey_rejected')
  })

  it('lets one of two assertions with the same counter through when they race', async () => {
    const { authenticator } = await passkeyAccount()
    const sessions = await Promise.all([createTokenSession(), createTokenSession()])
    const asked = await Promise.all(sessions.map((s) => askOptions('sign-in', s)))
    const assertions = await Promise.all(
      asked.map(({ options }) => authenticator.assert(options, { counter: 7 })),
    )
    const results = await Promise.all(sessions.map((s, i) => verify('sign-in', s, assertions[i])))
    expect(results.map((r) => r.status).sort()).toEqual([200, 401])
  })

  it('refuses a passkey nobody registered', async () => {
    const stranger = await SoftwareAuthenticator.create()
    await expectError(
      await signInWith(stranger, await createTokenSession()),
      401,
      'passkey_rejected',
    )
  })
})
