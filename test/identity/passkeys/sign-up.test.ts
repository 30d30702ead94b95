import { describe, expect, it } from 'vitest'
import {
  anonymousWithDocument,
  api,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  type SignInBody,
} from '../../helpers'
import { SoftwareAuthenticator } from './authenticator'
import { askOptions, signUp, userIdOf, verify, type SignUpBody } from './flows'

describe('sign up with a passkey alone', () => {
  it('creates an account (not anonymous, no email) from an anonymous session and keeps its document', async () => {
    const anon = await anonymousWithDocument()
    const body = await signUp(await SoftwareAuthenticator.create(), anon)
    expect(body.user.id).toMatch(/^usr_/)
    expect(body.user).toMatchObject({ isAnonymous: false, email: null })
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.merge).toEqual({
      from: anon.userId,
      into: body.user.id,
      moved: { documents: 1, preferences: 0, secrets: 0, oauth: 0 },
      conflicts: [],
    })
    expect(body.passkey).toMatchObject({ deviceType: 'multiDevice', backedUp: true })
    const docs = await api('/v1/documents', { headers: bearer(body.tokens.accessToken) })
    const { documents } = await docs.json<{ documents: Array<{ title: string }> }>()
    expect(documents.map((d) => d.title)).toEqual(['mine'])
    const me = await (
      await api('/v1/me', { headers: bearer(body.tokens.accessToken) })
    ).json<SignInBody>()
    expect(me.user).toMatchObject({ id: body.user.id, isAnonymous: false })
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(1)
  })

  it('refuses a replayed challenge: the same response verifies once', async () => {
    const anon = await createTokenSession()
    const authenticator = await SoftwareAuthenticator.create()
    const { options } = await askOptions('sign-up', anon)
    const response = await authenticator.register(options)
    const first = await verify('sign-up', anon, response)
    expect(first.status).toBe(201)
    const signedIn = await first.json<SignInBody>()
    const again = await verify('sign-up', { ...anon, ...signedIn.tokens }, response)
    await expectError(again, 400, 'invalid_or_expired_challenge')
  })

  it('refuses a challenge another session asked for', async () => {
    const asker = await createTokenSession()
    const other = await createTokenSession()
    const { options } = await askOptions('sign-up', asker)
    const response = await (await SoftwareAuthenticator.create()).register(options)
    await expectError(await verify('sign-up', other, response), 400, 'invalid_or_expired_challenge')
    expect(
      await countRows('select count(*) as n from passkeys where credential_id = ?', response.id),
    ).toBe(0)
  })

  it('refuses a passkey made for another origin or another RP ID, and one without user verification', async () => {
    for (const ceremony of [
      { origin: 'https://evil.example.net' },
      { rpId: 'evil.example.net' },
      { userVerified: false },
    ]) {
      const anon = await createTokenSession()
      const { options } = await askOptions('sign-up', anon)
      const response = await (await SoftwareAuthenticator.create()).register(options, ceremony)
      await expectError(await verify('sign-up', anon, response), 400, 'passkey_rejected')
    }
  })

  it('leaves one account and one passkey when two registrations of one credential race', async () => {
    const authenticator = await SoftwareAuthenticator.create()
    const sessions = await Promise.all([createTokenSession(), createTokenSession()])
    const attempts = await Promise.all(
      sessions.map(async (s) => ({ s, options: (await askOptions('sign-up', s)).options })),
    )
    const responses = await Promise.all(
      attempts.map(async ({ s, options }) =>
        verify('sign-up', s, await authenticator.register(options)),
      ),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409])
    const loser = responses.find((r) => r.status === 409)!
    await expectError(loser, 409, 'passkey_taken')
    const winner = await responses.find((r) => r.status === 201)!.json<SignUpBody>()
    expect(
      await countRows(
        'select count(*) as n from passkeys where credential_id = ?',
        authenticator.id,
      ),
    ).toBe(1)
    // Each ceremony fixed its account id in its options: the losing one's account never exists.
    const accountIds = attempts.map(({ options }) => userIdOf(options))
    expect(accountIds).toContain(winner.user.id)
    const loserId = accountIds.find((id) => id !== winner.user.id)!
    expect(await countRows('select count(*) as n from users where id = ?', loserId)).toBe(0)
  })
})
