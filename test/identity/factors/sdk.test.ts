/**
 * The SDK's second factor against the real Worker: enrol and confirm an authenticator app, then a
 * login throws `SecondFactorRequiredError`, the state says `second_factor_required` with the
 * anonymous session untouched, and `mfa.verify` signs in and merges it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SecondFactorRequiredError, SessionClientError } from '../../../src/sdk/client'
import { CookieJar, registerWithClient, uniqueEmail } from '../../helpers'
import { cookieClient, PASSWORD } from '../../sdk/client/worker-fetch'
import { advance, codeAt } from './factors'

afterEach(() => {
  vi.useRealTimers()
})

describe('the session client with a second factor', () => {
  it('enrols, then a login asks for the code and verify finishes it with the merge', async () => {
    const email = uniqueEmail()
    const owner = cookieClient(new CookieJar())
    await owner.me()
    await registerWithClient(owner, { email, password: PASSWORD })
    const { qrCode, secret } = await owner.mfa.enrolTotp()
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/)
    const recoveryCodes = await owner.mfa.confirmTotp(codeAt(secret))
    expect(recoveryCodes).toHaveLength(10)
    expect(await owner.mfa.status()).toMatchObject({
      totp: { confirmed: true },
      recoveryCodesLeft: 10,
    })

    const visitor = cookieClient(new CookieJar())
    const anon = await visitor.me()
    await visitor.documents.create({ title: 'draft', content: 'made before signing in' })
    const thrown = await visitor.login({ email, password: PASSWORD }).catch((error) => error)
    expect(thrown).toBeInstanceOf(SecondFactorRequiredError)
    expect(thrown).toBeInstanceOf(SessionClientError)
    const state = visitor.getState()
    expect(state).toMatchObject({
      status: 'second_factor_required',
      user: { id: anon.user.id, isAnonymous: true },
      methods: ['totp', 'recovery_code'],
    })
    expect((await visitor.me()).user.id).toBe(anon.user.id)

    advance(30_000)
    const signedIn = await visitor.mfa.verify({ code: codeAt(secret) })
    expect(signedIn.user.email).toBe(email)
    expect(signedIn.merge).toMatchObject({ from: anon.user.id, moved: { documents: 1 } })
    expect(visitor.getState().status).toBe('account')
  })
})
