import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  countRows,
  createAccount,
  createTokenSession,
  expectError,
  jsonHeaders,
  post,
  sessionObject,
  type SignInBody,
} from '../../helpers'
import type { SessionRecord } from '../../../src/session'
import { SoftwareAuthenticator } from './authenticator'
import { signUp, type Options } from './flows'

const ADMIN = bearer('test-admin-token-0123456789')

interface PasskeyView {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  deviceType: string
  backedUp: boolean
}

async function addPasskey(accessToken: string, authenticator: SoftwareAuthenticator) {
  const asked = await post('/v1/me/passkeys/options', {}, bearer(accessToken))
  expect(asked.status).toBe(200)
  const { options } = await asked.json<{ options: Options }>()
  return post(
    '/v1/me/passkeys',
    { response: await authenticator.register(options), name: 'Laptop' },
    bearer(accessToken),
  )
}

const listOf = async (accessToken: string) =>
  (
    await (
      await api('/v1/me/passkeys', { headers: bearer(accessToken) })
    ).json<{
      passkeys: PasskeyView[]
    }>()
  ).passkeys

const remove = (accessToken: string, id: string) =>
  api(`/v1/me/passkeys/${id}`, { method: 'DELETE', headers: jsonHeaders(bearer(accessToken)) })

/** Moves the session's last sign-in `ms` into the past, as if it happened that long ago. */
async function ageSignIn(sessionId: string, ms: number) {
  await runInDurableObject(sessionObject(sessionId), async (_o, state) => {
    const record = state.storage.kv.get<SessionRecord>('session')!
    state.storage.kv.put('session', { ...record, authenticatedAt: record.authenticatedAt! - ms })
  })
}

describe("an account's passkeys", () => {
  it('lists, renames and removes them, but never the last way in', async () => {
    const account = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    const token = account.tokens.accessToken
    const [only] = await listOf(token)
    expect(only).toMatchObject({ id: account.passkey.id, lastUsedAt: null, backedUp: true })
    expect(Object.keys(only!).sort()).toEqual(
      ['backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'name'].sort(),
    )
    await expectError(await remove(token, only!.id), 409, 'last_sign_in_method')

    expect((await addPasskey(token, await SoftwareAuthenticator.create())).status).toBe(201)
    const renamed = await api(`/v1/me/passkeys/${only!.id}`, {
      method: 'PATCH',
      headers: jsonHeaders(bearer(token)),
      body: JSON.stringify({ name: 'Phone' }),
    })
    expect((await renamed.json<{ passkey: PasskeyView }>()).passkey.name).toBe('Phone')
    expect((await remove(token, only!.id)).status).toBe(204)
    const left = await listOf(token)
    expect(left.map((p) => p.name)).toEqual(['Laptop'])
    await expectError(await remove(token, left[0]!.id), 409, 'last_sign_in_method')
    const types = await countRows(
      "select count(distinct type) as n from audit_events where user_id = ? and type in ('passkey.added', 'passkey.renamed', 'passkey.removed')",
      account.user.id,
    )
    expect(types).toBe(3)
  })

  it('removes the last passkey of an account that keeps a password, or a proven email', async () => {
    // A confirmed registration has both; each account here keeps one of them.
    for (const drop of ['email_verified_at', 'password_hash']) {
      const { tokens, user } = await (await createAccount()).json<SignInBody>()
      await env.DB.prepare(`update users set ${drop} = null where id = ?`).bind(user.id).run()
      const added = await addPasskey(tokens.accessToken, await SoftwareAuthenticator.create())
      expect(added.status).toBe(201)
      const [passkey] = await listOf(tokens.accessToken)
      expect((await remove(tokens.accessToken, passkey!.id)).status).toBe(204)
    }
  })

  it('needs a recent sign-in to add or remove one', async () => {
    const account = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    await ageSignIn(account.session.id, 6 * 60 * 1000)
    const token = account.tokens.accessToken
    const asked = await post('/v1/me/passkeys/options', {}, bearer(token))
    await expectError(asked, 403, 'recent_sign_in_required')
    await expectError(await remove(token, account.passkey.id), 403, 'recent_sign_in_required')
  })

  it('is for accounts only', async () => {
    const anon = await createTokenSession()
    const asked = await post('/v1/me/passkeys/options', {}, bearer(anon.accessToken))
    await expectError(asked, 403, 'account_required')
  })

  it('shows an administrator the passkeys and lets them remove even the last', async () => {
    const account = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    const path = `/v1/admin/users/${account.user.id}/passkeys`
    const listed = await (await api(path, { headers: ADMIN })).json<{ passkeys: PasskeyView[] }>()
    expect(listed.passkeys.map((p) => p.id)).toEqual([account.passkey.id])
    const gone = await api(`${path}/${account.passkey.id}`, { method: 'DELETE', headers: ADMIN })
    expect(gone.status).toBe(204)
    const again = await api(`${path}/${account.passkey.id}`, { method: 'DELETE', headers: ADMIN })
    await expectError(again, 404, 'not_found')
  })

  it('go with the account when it is erased', async () => {
    const account = await signUp(await SoftwareAuthenticator.create(), await createTokenSession())
    const erased = await api(`/v1/admin/users/${account.user.id}`, {
      method: 'DELETE',
      headers: ADMIN,
    })
    expect(erased.status).toBe(204)
    expect(
      await countRows('select count(*) as n from passkeys where user_id = ?', account.user.id),
    ).toBe(0)
  })
})
