import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { KEY_CACHE_TTL_MS, KEY_PUBLISH_DELAY_MS } from '../../src/platform/tokens/signing-keys'
import {
  api,
  bearer,
  createAccount,
  createStoredSession,
  createTokenSession,
  expectError,
  jsonHeaders,
  mailedLinkToken,
  postAuth,
  refreshWithToken,
  runtime,
  sessionOf,
  type SignInBody,
  TOKEN_TRANSPORT,
  type TokenSession,
  uniqueEmail,
  unlimitedApi,
} from '../helpers'

const ADMIN = bearer('test-admin-token-0123456789')
const adminPost = (path: string) => api(path, { method: 'POST', headers: ADMIN })

afterEach(() => {
  vi.useRealTimers()
})

/** An account promoted to admin in D1, signed in afresh so its token says so. */
async function adminUser() {
  const email = uniqueEmail()
  const post = (path: string) =>
    api(path, {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'admin password 1' }),
    })
  expect((await createAccount(email, 'admin password 1')).status).toBe(200)
  await env.DB.prepare("update users set role = 'admin' where email = ?").bind(email).run()
  return (
    await (
      await post('/v1/auth/login')
    ).json<{ user: { role: string }; tokens: { accessToken: string } }>()
  ).tokens
}

describe('admin auth', () => {
  const routes: Array<[string, string]> = [
    ['POST', '/v1/admin/kill-switch'],
    ['POST', '/v1/admin/keys/rotate'],
    ['POST', '/v1/admin/sweep'],
    ['GET', '/v1/admin/metrics'],
    ['GET', '/v1/admin/keys'],
    ['GET', '/v1/admin/users'],
    ['GET', '/v1/admin/users/anon_00000000000000000000000000'],
    ['PUT', '/v1/admin/users/anon_00000000000000000000000000/role'],
    ['POST', '/v1/admin/users/anon_00000000000000000000000000/revoke-sessions'],
    ['DELETE', '/v1/admin/users/anon_00000000000000000000000000'],
  ]

  it.each(routes)(
    '%s %s: 401 without credentials or with a wrong token, 403 for a user',
    async (method, path) => {
      await expectError(
        await api(path, { method, headers: TOKEN_TRANSPORT }),
        401,
        'admin_credentials_required',
      )
      await expectError(
        await api(path, { method, headers: bearer('test-admin-token-0123456780') }),
        401,
        'admin_credentials_required',
      )
      const user = await createStoredSession()
      await expectError(
        await api(path, { method, headers: bearer(user.accessToken) }),
        403,
        'forbidden',
      )
    },
  )

  it('accepts the ADMIN_TOKEN and an admin account with a live session', async () => {
    expect((await api('/v1/admin/metrics', { headers: ADMIN })).status).toBe(200)
    const admin = await adminUser()
    expect((await api('/v1/admin/metrics', { headers: bearer(admin.accessToken) })).status).toBe(
      200,
    )
    await api('/v1/auth/logout', { method: 'POST', headers: bearer(admin.accessToken) })
    await expectError(
      await api('/v1/admin/metrics', { headers: bearer(admin.accessToken) }),
      401,
      'session_revoked',
    )
  })
})

describe('key rotation', () => {
  it('keeps old tokens valid, signs new ones with the new kid once it settled, retires the old key later', async () => {
    const old = await createStoredSession()
    const oldKid = JSON.parse(atob(old.accessToken.split('.')[0]!)).kid
    const { kid } = await (await adminPost('/v1/admin/keys/rotate')).json<{ kid: string }>()
    expect(kid).not.toBe(oldKid)
    const jwks = async () =>
      (
        await (await api('/.well-known/jwks.json')).json<{ keys: Array<{ kid: string }> }>()
      ).keys.map((k) => k.kid)
    expect(await jwks()).toEqual(expect.arrayContaining([kid, oldKid]))
    expect((await api('/v1/auth/token-info', { headers: bearer(old.accessToken) })).status).toBe(
      200,
    )

    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + KEY_PUBLISH_DELAY_MS + 1_000)
    const next = await createStoredSession()
    expect(JSON.parse(atob(next.accessToken.split('.')[0]!)).kid).toBe(kid)

    // After the publish delay, one more cache period and an access-token lifetime, the sweep
    // retires the old key.
    vi.setSystemTime(Date.now() + KEY_PUBLISH_DELAY_MS + KEY_CACHE_TTL_MS + 300_000)
    const sweep = await (
      await adminPost('/v1/admin/sweep')
    ).json<{ counts: Record<string, number> }>()
    expect(sweep.counts.keysRetired).toBeGreaterThanOrEqual(1)
    expect(await jwks()).not.toContain(oldKid)
    expect(await jwks()).toContain(kid)
  })

  it('says when a rotated key starts signing, and lists which key signs now', async () => {
    await createStoredSession()
    // The first key has settled (a key rotated in before that would sign at once).
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + KEY_PUBLISH_DELAY_MS + 1_000)
    const before = Date.now()
    const rotated = await (
      await adminPost('/v1/admin/keys/rotate')
    ).json<{ kid: string; signsFrom: string }>()
    const signsFrom = Date.parse(rotated.signsFrom)
    expect(signsFrom).toBeGreaterThanOrEqual(before + KEY_PUBLISH_DELAY_MS)
    expect(signsFrom).toBeLessThanOrEqual(Date.now() + KEY_PUBLISH_DELAY_MS)

    interface Key {
      kid: string
      signsFrom: string
      signing: boolean
    }
    const list = async () => {
      const res = await api('/v1/admin/keys', { headers: ADMIN })
      expect(res.status).toBe(200)
      return (await res.json<{ keys: Key[] }>()).keys
    }
    const now = await list()
    expect(now[0]).toMatchObject({ kid: rotated.kid, signsFrom: rotated.signsFrom, signing: false })
    expect(now.filter((k) => k.signing)).toHaveLength(1)

    vi.setSystemTime(signsFrom + 1_000)
    const later = await list()
    expect(later.find((k) => k.signing)?.kid).toBe(rotated.kid)
  })

  it('rotates automatically when the newest key is older than KEY_ROTATION_DAYS', async () => {
    const rt = await runtime()
    const before = (await rt.keys.get()).publicKeys[0]!.kid
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 31 * 86_400_000)
    const { counts } = await (
      await adminPost('/v1/admin/sweep')
    ).json<{ counts: Record<string, number> }>()
    expect(counts.keysRotated).toBe(1)
    const kids = (
      await (await api('/.well-known/jwks.json')).json<{ keys: Array<{ kid: string }> }>()
    ).keys.map((k) => k.kid)
    expect(kids[0]).not.toBe(before)
  })
})

describe('session limit', () => {
  it('revokes the oldest live session when an eleventh would exceed MAX_SESSIONS_PER_USER', async () => {
    const email = uniqueEmail()
    const body = JSON.stringify({ email, password: 'limit password 1' })
    const headers = { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' }
    // Eleven sign-ins in a minute would meet the per-email password limit.
    const api = await unlimitedApi()
    const first = await (
      await createAccount(email, 'limit password 1', undefined, api)
    ).json<{ tokens: { refreshToken: string }; user: { id: string } }>()
    const later = []
    for (let i = 0; i < 10; i++) {
      later.push(
        await (
          await api('/v1/auth/login', { method: 'POST', headers, body })
        ).json<{ tokens: { refreshToken: string } }>(),
      )
    }
    await expectError(
      await refreshWithToken(first.tokens.refreshToken),
      401,
      'invalid_refresh_token',
    )
    expect((await refreshWithToken(later[0]!.tokens.refreshToken)).status).toBe(200)
    const live = await env.DB.prepare(
      'select count(*) as n from sessions where user_id = ? and revoked_at is null',
    )
      .bind(first.user.id)
      .first<{ n: number }>()
    expect(live?.n).toBe(10)
  })
})

describe('metrics and erasure', () => {
  it('counts users by kind, live sessions, auth failures and the last sweep', async () => {
    await createStoredSession()
    await api('/v1/auth/login', {
      method: 'POST',
      headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'wrong password 1' }),
    })
    await adminPost('/v1/admin/sweep')
    const metrics = await (
      await api('/v1/admin/metrics', { headers: ADMIN })
    ).json<Record<string, any>>()
    expect(metrics.users.anonymous).toBeGreaterThanOrEqual(1)
    expect(metrics.liveSessions).toBeGreaterThanOrEqual(1)
    expect(metrics.authFailures24h).toBeGreaterThanOrEqual(1)
    expect(metrics.lastSweep).toMatchObject({ trigger: 'admin', complete: true })
  })

  it('erases a user everywhere: rows, sessions and their objects', async () => {
    const s = await createStoredSession()
    const res = await api(`/v1/admin/users/${s.userId}`, { method: 'DELETE', headers: ADMIN })
    expect(res.status).toBe(204)
    for (const table of [
      'users where id',
      'sessions where user_id',
      'audit_events where user_id',
    ]) {
      const row = await env.DB.prepare(`select count(*) as n from ${table} = ?`)
        .bind(s.userId)
        .first<{ n: number }>()
      expect(row?.n).toBe(0)
    }
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
    await expectError(
      await api(`/v1/admin/users/${s.userId}`, { method: 'DELETE', headers: ADMIN }),
      404,
      'not_found',
    )
    await expectError(
      await api('/v1/admin/users/nobody', { method: 'DELETE', headers: ADMIN }),
      400,
      'invalid_request',
    )
  })
})

describe('import from a single-user install', () => {
  const body = (importId: string) =>
    JSON.stringify({
      importId,
      oauth: [
        {
          serverId: 'github',
          tokens: { access_token: 'gho_legacy', token_type: 'bearer' },
          client: { client_id: 'legacy-client' },
        },
        {
          serverId: 'mcp.example.com',
          tokens: { access_token: 'at_2', token_type: 'Bearer', refresh_token: 'rt_2' },
        },
      ],
    })
  const importOnce = (importId: string) =>
    api('/v1/admin/import', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: body(importId),
    })

  it('creates one user holding the records, and the same import id again returns the same user', async () => {
    const importId = `install-${crypto.randomUUID()}`
    const [first, second] = [await importOnce(importId), await importOnce(importId)]
    expect(first.status).toBe(201)
    expect(second.status).toBe(200)
    const a = await first.json<{
      user: { id: string; isAnonymous: boolean }
      tokens: { accessToken: string }
    }>()
    const b = await second.json<{ user: { id: string }; tokens: { accessToken: string } }>()
    expect(b.user.id).toBe(a.user.id)
    expect(a.user).toMatchObject({ isAnonymous: false })
    const tokens = await api('/v1/oauth/github/tokens', { headers: bearer(a.tokens.accessToken) })
    expect(await tokens.json()).toEqual({ access_token: 'gho_legacy', token_type: 'bearer' })
    const servers = await (
      await api('/v1/oauth', { headers: bearer(b.tokens.accessToken) })
    ).json<{ servers: unknown[] }>()
    expect(servers.servers).toHaveLength(2)
    expect(
      await env.DB.prepare('select count(*) as n from imports where import_id = ?')
        .bind(importId)
        .first('n'),
    ).toBe(1)
  })

  it('creates one user when the same import races itself', async () => {
    const importId = `install-${crypto.randomUUID()}`
    const results = await Promise.all(Array.from({ length: 5 }, () => importOnce(importId)))
    const ids = await Promise.all(
      results.map(async (r) => (await r.json<{ user: { id: string } }>()).user.id),
    )
    expect(new Set(ids).size).toBe(1)
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
  })

  it('rejects a bad import id or server id with 400', async () => {
    const res = await api('/v1/admin/import', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ importId: 'x', oauth: [{ serverId: 'bad id!' }] }),
    })
    await expectError(res, 400, 'invalid_request')
  })
})

// Last in the file: each isolate caches the switch for 30 s by design, so tests after this one
// would meet it even though afterEach clears the row.
describe('kill switch', () => {
  it('stops every existing session while new anonymous sessions still work', async () => {
    const before = await Promise.all([
      createStoredSession(),
      createStoredSession(),
      createStoredSession(),
    ])
    const res = await adminPost('/v1/admin/kill-switch')
    expect(res.status).toBe(200)
    const revokedBefore = Date.parse((await res.json<{ revokedBefore: string }>()).revokedBefore)
    expect(revokedBefore).toBeLessThanOrEqual(Date.now())
    for (const s of before) {
      await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
      await expectError(
        await api('/v1/sessions', { headers: bearer(s.accessToken) }),
        401,
        'invalid_token',
      )
    }
    const fresh = await createStoredSession()
    expect((await api('/v1/sessions', { headers: bearer(fresh.accessToken) })).status).toBe(200)
    expect((await refreshWithToken(fresh.refreshToken)).status).toBe(200)
  })
})

describe('8. the kill switch is exact to the millisecond', () => {
  /** An account session signed in by a sign-in link, as a token client. */
  async function accountSession(): Promise<TokenSession> {
    const token = await mailedLinkToken(uniqueEmail())
    const res = await postAuth('/v1/auth/magic-link/verify', { token })
    expect(res.status).toBe(200)
    return sessionOf(await res.json<SignInBody>())
  }

  const writeDocument = (s: TokenSession) =>
    api('/v1/documents', {
      method: 'POST',
      headers: jsonHeaders(bearer(s.accessToken)),
      body: JSON.stringify({ title: 't', content: 'c' }),
    })

  it('refuses everything issued before the switch and nothing issued after it in the same second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    // Well clear of any switch an earlier test left in this isolate's cache.
    const second = (Math.floor(Date.now() / 1000) + 60) * 1000
    vi.setSystemTime(second + 100)
    const before = [await createTokenSession(), await createStoredSession(), await accountSession()]
    vi.setSystemTime(second + 200)
    const res = await adminPost('/v1/admin/kill-switch')
    expect(res.status).toBe(200)
    expect(Date.parse((await res.json<{ revokedBefore: string }>()).revokedBefore)).toBe(
      second + 200,
    )

    vi.setSystemTime(second + 201)
    const after = [await createTokenSession(), await createStoredSession(), await accountSession()]
    vi.setSystemTime(second + 900)
    for (const s of after) {
      expect((await api('/v1/sessions', { headers: bearer(s.accessToken) })).status).toBe(200)
      expect((await writeDocument(s)).status).toBe(201)
      expect((await refreshWithToken(s.refreshToken)).status).toBe(200)
    }
    for (const s of before) {
      await expectError(
        await api('/v1/sessions', { headers: bearer(s.accessToken) }),
        401,
        'invalid_token',
      )
      await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
    }
  })
})
