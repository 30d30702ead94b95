import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  createAccount,
  createTokenSession,
  expectError,
  jsonHeaders,
  refreshWithToken,
  TOKEN_TRANSPORT,
  uniqueEmail,
} from '../helpers'

const ADMIN = bearer('test-admin-token-0123456789')

interface AdminUser {
  id: string
  createdAt: string
  email: string | null
  isAnonymous: boolean
  role: string
  lastSeenAt: string
  mergedInto: string | null
}

/** A new account over token transport: its id and tokens. */
async function account(email = uniqueEmail()) {
  const res = await createAccount(email, 'a long password 1')
  expect(res.status).toBe(200)
  const body = await res.json<{ user: { id: string }; tokens: { refreshToken: string } }>()
  return { email, id: body.user.id, refreshToken: body.tokens.refreshToken }
}

const listUsers = (search = '') => api(`/v1/admin/users${search}`, { headers: ADMIN })

describe('admin: users', () => {
  it('lists users newest first, a page at a time, with a cursor that continues', async () => {
    const made = [await account(), await account(), await account()]
    const seen: AdminUser[] = []
    let cursor: string | null = null
    do {
      const search: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const res = await listUsers(`?limit=2${search}`)
      expect(res.status).toBe(200)
      const page = await res.json<{ users: AdminUser[]; nextCursor: string | null }>()
      expect(page.users.length).toBeLessThanOrEqual(2)
      seen.push(...page.users)
      cursor = page.nextCursor
    } while (cursor)
    const ids = seen.map((u) => u.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const { id } of made) expect(ids).toContain(id)
    const times = seen.map((u) => Date.parse(u.createdAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('finds users by part of an email or by id, and takes % and _ literally', async () => {
    const { email, id } = await account(`Findable-${crypto.randomUUID()}@example.com`)
    await account()
    const part = email.slice(0, 20)
    const byEmail = await (
      await listUsers(`?query=${encodeURIComponent(part)}`)
    ).json<{
      users: AdminUser[]
    }>()
    expect(byEmail.users.map((u) => u.id)).toEqual([id])
    const byId = await (await listUsers(`?query=${id}`)).json<{ users: AdminUser[] }>()
    expect(byId.users.map((u) => u.email)).toEqual([email.toLowerCase()])
    const wildcard = await (await listUsers('?query=%25')).json<{ users: AdminUser[] }>()
    expect(wildcard.users).toEqual([])
  })

  it('refuses a cursor it did not make and a limit out of range with 400s', async () => {
    await expectError(await listUsers('?cursor=bm9wZQ'), 400, 'invalid_request')
    await expectError(await listUsers('?limit=0'), 400, 'invalid_request')
    await expectError(await listUsers('?limit=101'), 400, 'invalid_request')
  })

  it('shows one user with their live sessions, and 404s an unknown one', async () => {
    const { id } = await account()
    const res = await api(`/v1/admin/users/${id}`, { headers: ADMIN })
    expect(res.status).toBe(200)
    const body = await res.json<{ user: AdminUser; sessions: Array<{ id: string }> }>()
    expect(body.user).toMatchObject({ id, isAnonymous: false, role: 'user', mergedInto: null })
    expect(body.sessions).toHaveLength(1)
    await expectError(
      await api('/v1/admin/users/usr_00000000000000000000000000', { headers: ADMIN }),
      404,
      'not_found',
    )
  })

  it("sets an account's role and ends its sessions, so no token keeps the old role", async () => {
    const { id, refreshToken } = await account()
    const res = await api(`/v1/admin/users/${id}/role`, {
      method: 'PUT',
      headers: jsonHeaders(ADMIN),
      body: JSON.stringify({ role: 'admin' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { id, role: 'admin' }, sessionsRevoked: 1 })
    await expectError(await refreshWithToken(refreshToken), 401)
    const row = await env.DB.prepare('select role from users where id = ?').bind(id).first()
    expect(row).toEqual({ role: 'admin' })
  })

  it('refuses to make an anonymous user an admin, and a role that does not exist', async () => {
    const anon = await createTokenSession()
    await api('/v1/me/preferences', {
      method: 'PATCH',
      headers: jsonHeaders(bearer(anon.accessToken)),
      body: JSON.stringify({ theme: 'dark' }),
    })
    const put = (id: string, role: string) =>
      api(`/v1/admin/users/${id}/role`, {
        method: 'PUT',
        headers: jsonHeaders(ADMIN),
        body: JSON.stringify({ role }),
      })
    await expectError(await put(anon.userId, 'admin'), 403, 'account_required')
    const { id } = await account()
    await expectError(await put(id, 'owner'), 400, 'invalid_request')
    await expectError(await put('usr_00000000000000000000000000', 'user'), 404, 'not_found')
  })

  it('ends every live session of a user and says how many', async () => {
    const { id, email, refreshToken } = await account()
    await api('/v1/auth/login', {
      method: 'POST',
      headers: jsonHeaders(TOKEN_TRANSPORT),
      body: JSON.stringify({ email, password: 'a long password 1' }),
    })
    const res = await api(`/v1/admin/users/${id}/revoke-sessions`, {
      method: 'POST',
      headers: ADMIN,
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ revoked: 2 })
    await expectError(await refreshWithToken(refreshToken), 401)
  })

  it('is for administrators only', async () => {
    const user = await createTokenSession()
    await expectError(
      await api('/v1/admin/users', { headers: bearer(user.accessToken) }),
      403,
      'forbidden',
    )
  })
})
