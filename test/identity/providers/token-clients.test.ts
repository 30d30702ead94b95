import { describe, expect, it } from 'vitest'
import {
  anonymousWithDocument,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  post,
  uniqueEmail,
  type SignInBody,
} from '../../helpers'
import {
  authorizeAt,
  pkcePair,
  providerAccount,
  redirectParams,
  startAsTokenClient,
} from './loopback'
import { api } from '../../helpers'

/** A token client's flow up to the handoff code its loopback redirect receives. */
async function handoffCode(
  session: Awaited<ReturnType<typeof createTokenSession>>,
  challenge: string,
  account = providerAccount({ email: uniqueEmail(), email_verified: true }),
): Promise<string> {
  const callback = await authorizeAt(await startAsTokenClient(session, challenge), account)
  // A token client's browser carries no session cookie: the handoff stands in for it.
  const res = await api(callback, { redirect: 'manual' })
  const params = redirectParams(res)
  expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:53682\/callback\?/)
  return params.get('code')!
}

describe('token clients (mobile, CLI): the callback hands off a one-time code', () => {
  it("exchanges the code with the verifier and the starting session's refresh token, merging it", async () => {
    const anon = await anonymousWithDocument()
    const { verifier, challenge } = await pkcePair()
    const code = await handoffCode(anon, challenge)
    const res = await post(
      '/v1/auth/providers/exchange',
      { code, codeVerifier: verifier, refreshToken: anon.refreshToken },
      bearer(anon.accessToken),
    )
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user.isAnonymous).toBe(false)
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.merge?.moved.documents).toBe(1)
    expect(body.tokens.accessToken).toBeTruthy()
  })

  it('signs in beside the starting session, merging nothing, without its refresh token', async () => {
    const anon = await anonymousWithDocument()
    const { verifier, challenge } = await pkcePair()
    const code = await handoffCode(anon, challenge)
    const res = await post('/v1/auth/providers/exchange', { code, codeVerifier: verifier })
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.merge).toBeNull()
    expect(body.session.id).not.toBe(anon.sessionId)
  })

  it('refuses a verifier that does not match the challenge, and the code is then used up', async () => {
    const anon = await createTokenSession()
    const { verifier, challenge } = await pkcePair()
    const code = await handoffCode(anon, challenge)
    const other = await pkcePair()
    await expectError(
      await post('/v1/auth/providers/exchange', { code, codeVerifier: other.verifier }),
      400,
      'invalid_handoff',
    )
    await expectError(
      await post('/v1/auth/providers/exchange', { code, codeVerifier: verifier }),
      400,
      'invalid_handoff',
    )
  })

  it('lets one of twenty parallel exchanges of one code win, merging once', async () => {
    const anon = await anonymousWithDocument()
    const { verifier, challenge } = await pkcePair()
    const code = await handoffCode(anon, challenge)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(
          '/v1/auth/providers/exchange',
          { code, codeVerifier: verifier, refreshToken: anon.refreshToken },
          bearer(anon.accessToken),
        ),
      ),
    )
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1)
    for (const r of answers.filter((r) => r.status !== 200))
      await expectError(r, 400, 'invalid_handoff')
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(1)
  })

  it('makes one account when twenty clients exchange codes for one new identity at once', async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: false })
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const session = await createTokenSession()
        const { verifier, challenge } = await pkcePair()
        return { verifier, code: await handoffCode(session, challenge, account) }
      }),
    )
    const answers = await Promise.all(
      clients.map(({ code, verifier }) =>
        post('/v1/auth/providers/exchange', { code, codeVerifier: verifier }),
      ),
    )
    const users = new Set<string>()
    for (const res of answers) {
      expect(res.status).toBe(200)
      users.add((await res.json<SignInBody>()).user.id)
    }
    expect(users.size).toBe(1)
    expect(
      await countRows('select count(*) as n from identities where subject = ?', account.sub),
    ).toBe(1)
  })

  it('accepts a loopback redirect on any port but not an unlisted scheme', async () => {
    const anon = await createTokenSession()
    const { challenge } = await pkcePair()
    await startAsTokenClient(anon, challenge, 'http://localhost:9/cb')
    const res = await post(
      '/v1/auth/providers/loopback/start',
      { redirectTo: 'com.evil.app:/cb', codeChallenge: challenge },
      bearer(anon.accessToken),
    )
    await expectError(res, 400, 'redirect_not_allowed')
  })
})
