import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { saveOAuthDiscovery } from '../../../src/user-data/oauth-records/service'
import { oauthSlot, openValue } from '../../../src/platform/crypto/sealing'
import {
  api,
  createAccount,
  bearer,
  createTokenSession,
  expectError,
  jsonHeaders,
  refreshWithToken,
  runtime,
  type TokenSession,
  uniqueEmail,
  type SignInBody,
} from '../../helpers'

const PASSWORD = 'correct horse battery'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const { userKeys } = await runtime()

const tokensFor = (name: string) => ({
  access_token: `at-${name}-${crypto.randomUUID()}`,
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: `rt-${name}-${crypto.randomUUID()}`,
  scope: 'read write',
  issuer: 'https://as.example.com',
  // Fields the contract does not name are kept as given.
  x_vendor: { region: 'eu', tier: 2 },
})

const clientFor = (name: string) => ({
  client_id: `client-${name}`,
  client_secret: `secret-${crypto.randomUUID()}`,
  client_id_issued_at: 1_700_000_000,
  redirect_uris: ['https://app.example.com/callback'],
  client_name: 'edge-session test',
})

const send = (method: string, s: TokenSession, path: string, body?: unknown) =>
  api(path, {
    method,
    headers: {
      ...bearer(s.accessToken),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
const get = (s: TokenSession, path: string) => send('GET', s, path)
const put = (s: TokenSession, path: string, body: unknown) => send('PUT', s, path, body)
const del = (s: TokenSession, path: string) => send('DELETE', s, path)

interface ServerSummary {
  serverId: string
  hasTokens: boolean
  hasClient: boolean
  hasVerifier: boolean
  updatedAt: string
}

async function listServers(s: TokenSession): Promise<ServerSummary[]> {
  const res = await get(s, '/v1/oauth')
  expect(res.status).toBe(200)
  return (await res.json<{ servers: ServerSummary[] }>()).servers
}

/** Stores tokens, client information and a verifier for the server; returns what was stored. */
async function seed(s: TokenSession, serverId: string) {
  const tokens = tokensFor(serverId)
  const client = clientFor(serverId)
  expect((await put(s, `/v1/oauth/${serverId}/tokens`, tokens)).status).toBe(204)
  expect((await put(s, `/v1/oauth/${serverId}/client`, client)).status).toBe(204)
  expect((await put(s, `/v1/oauth/${serverId}/verifier`, { verifier: VERIFIER })).status).toBe(204)
  return { tokens, client }
}

const rowsOf = async (userId: string) =>
  (
    await env.DB.prepare('select * from oauth_records where user_id = ? order by server_id')
      .bind(userId)
      .all<Record<string, string | number | null>>()
  ).results

afterEach(() => {
  vi.useRealTimers()
})

describe('OAuth records', () => {
  it('stores and returns tokens, client information and a verifier for a server', async () => {
    const s = await createTokenSession()
    expect(await listServers(s)).toEqual([])
    const before = Date.now()
    const { tokens, client } = await seed(s, 'github-mcp')

    const gotTokens = await get(s, '/v1/oauth/github-mcp/tokens')
    expect(gotTokens.status).toBe(200)
    expect(gotTokens.headers.get('cache-control')).toBe('no-store')
    expect(await gotTokens.json()).toEqual(tokens)
    expect(await (await get(s, '/v1/oauth/github-mcp/client')).json()).toEqual(client)
    expect(await (await get(s, '/v1/oauth/github-mcp/verifier')).json()).toEqual({
      verifier: VERIFIER,
    })

    const [summary, ...rest] = await listServers(s)
    expect(rest).toEqual([])
    expect(summary).toMatchObject({
      serverId: 'github-mcp',
      hasTokens: true,
      hasClient: true,
      hasVerifier: true,
    })
    expect(Date.parse(summary!.updatedAt)).toBeGreaterThanOrEqual(before - 1000)
  })

  it('replaces a value on a second PUT and lists servers by id', async () => {
    const s = await createTokenSession()
    await put(s, '/v1/oauth/zeta/tokens', tokensFor('old'))
    const fresh = { access_token: 'new', token_type: 'DPoP' }
    expect((await put(s, '/v1/oauth/zeta/tokens', fresh)).status).toBe(204)
    expect(await (await get(s, '/v1/oauth/zeta/tokens')).json()).toEqual(fresh)
    await put(s, '/v1/oauth/alpha:prod/client', { client_id: 'a' })
    expect(await listServers(s)).toMatchObject([
      { serverId: 'alpha:prod', hasTokens: false, hasClient: true, hasVerifier: false },
      { serverId: 'zeta', hasTokens: true, hasClient: false, hasVerifier: false },
    ])
  })

  it('answers 404 not_found for values never stored', async () => {
    const s = await createTokenSession()
    await expectError(await get(s, '/v1/oauth/nothing/tokens'), 404, 'not_found')
    await expectError(await get(s, '/v1/oauth/nothing/client'), 404, 'not_found')
    await expectError(await get(s, '/v1/oauth/nothing/verifier'), 404, 'not_found')
    await put(s, '/v1/oauth/partial/client', { client_id: 'c' })
    await expectError(await get(s, '/v1/oauth/partial/tokens'), 404, 'not_found')
  })

  it('needs a session', async () => {
    await expectError(await api('/v1/oauth'), 401, 'unauthenticated')
    await expectError(await api('/v1/oauth/x/tokens'), 401, 'unauthenticated')
  })

  it('keeps only ciphertext at rest, with a fresh IV for every seal, under the user’s own key', async () => {
    const s = await createTokenSession()
    const { tokens, client } = await seed(s, 'sealed')
    await put(s, '/v1/oauth/sealed-twin/tokens', tokens)
    const rows = await rowsOf(s.userId)
    expect(rows).toHaveLength(2)
    const raw = JSON.stringify(rows)
    for (const secret of [
      tokens.access_token,
      tokens.refresh_token,
      client.client_secret,
      VERIFIER,
    ])
      expect(raw).not.toContain(secret)
    expect(raw).not.toContain('access_token')
    const [row, twin] = rows
    // The same tokens sealed twice give different ciphertexts.
    expect(row!.tokens_sealed).not.toBe(twin!.tokens_sealed)
    const mine = userKeys(s.userId)
    const slot = oauthSlot('tokens', s.userId, row!.server_id as string)
    expect(JSON.parse(await openValue(mine, row!.tokens_sealed as string, slot))).toEqual(tokens)
    const other = userKeys((await createTokenSession()).userId)
    await expect(openValue(other, row!.tokens_sealed as string, slot)).rejects.toThrow()
  })
})

describe('deleting OAuth records', () => {
  it('DELETE /tokens forgets only the tokens', async () => {
    const s = await createTokenSession()
    const { client } = await seed(s, 'srv')
    expect((await del(s, '/v1/oauth/srv/tokens')).status).toBe(204)
    await expectError(await get(s, '/v1/oauth/srv/tokens'), 404, 'not_found')
    expect(await (await get(s, '/v1/oauth/srv/client')).json()).toEqual(client)
    expect(await listServers(s)).toMatchObject([
      { serverId: 'srv', hasTokens: false, hasClient: true, hasVerifier: true },
    ])
    // Idempotent.
    expect((await del(s, '/v1/oauth/srv/tokens')).status).toBe(204)
  })

  it.each([
    ['client', { hasTokens: true, hasClient: false, hasVerifier: true }],
    ['tokens', { hasTokens: false, hasClient: true, hasVerifier: true }],
    ['verifier', { hasTokens: true, hasClient: true, hasVerifier: false }],
  ] as const)('DELETE ?scope=%s clears that value and keeps the others', async (scope, flags) => {
    const s = await createTokenSession()
    await seed(s, 'srv')
    expect((await del(s, `/v1/oauth/srv?scope=${scope}`)).status).toBe(204)
    expect(await listServers(s)).toMatchObject([{ serverId: 'srv', ...flags }])
    const path = { client: 'client', tokens: 'tokens', verifier: 'verifier' }[scope]
    await expectError(await get(s, `/v1/oauth/srv/${path}`), 404, 'not_found')
  })

  it('DELETE without a scope, or with scope=all, forgets the whole record', async () => {
    const s = await createTokenSession()
    await seed(s, 'one')
    await seed(s, 'two')
    expect((await del(s, '/v1/oauth/one')).status).toBe(204)
    expect((await del(s, '/v1/oauth/two?scope=all')).status).toBe(204)
    expect(await listServers(s)).toEqual([])
    expect(await rowsOf(s.userId)).toEqual([])
    expect((await del(s, '/v1/oauth/never-stored')).status).toBe(204)
  })

  it('drops the row once its last value is cleared', async () => {
    const s = await createTokenSession()
    await seed(s, 'srv')
    for (const scope of ['tokens', 'client', 'verifier'])
      expect((await del(s, `/v1/oauth/srv?scope=${scope}`)).status).toBe(204)
    expect(await listServers(s)).toEqual([])
    expect(await rowsOf(s.userId)).toEqual([])
  })

  it('DELETE /v1/oauth forgets every record of this user and no one else’s', async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    await seed(a, 'one')
    await seed(a, 'two')
    const { tokens } = await seed(b, 'one')
    expect((await del(a, '/v1/oauth')).status).toBe(204)
    expect(await listServers(a)).toEqual([])
    expect(await (await get(b, '/v1/oauth/one/tokens')).json()).toEqual(tokens)
  })
})

describe('the PKCE verifier', () => {
  it('is gone 10 minutes after it was put', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.now()
    vi.setSystemTime(start)
    const s = await createTokenSession()
    expect((await put(s, '/v1/oauth/srv/verifier', { verifier: VERIFIER })).status).toBe(204)

    vi.setSystemTime(start + 10 * 60_000 - 1000)
    // Access tokens live 5 minutes: refresh to stay signed in while time moves on.
    const later = await refreshSession(s)
    expect((await get(later, '/v1/oauth/srv/verifier')).status).toBe(200)

    vi.setSystemTime(start + 10 * 60_000)
    await expectError(await get(later, '/v1/oauth/srv/verifier'), 404, 'not_found')
    expect(await listServers(later)).toMatchObject([{ serverId: 'srv', hasVerifier: false }])

    // A new verifier starts a new 10 minutes.
    expect((await put(later, '/v1/oauth/srv/verifier', { verifier: 'v'.repeat(128) })).status).toBe(
      204,
    )
    expect(await (await get(later, '/v1/oauth/srv/verifier')).json()).toEqual({
      verifier: 'v'.repeat(128),
    })
  })
})

async function refreshSession(s: TokenSession): Promise<TokenSession> {
  const res = await refreshWithToken(s.refreshToken)
  expect(res.status).toBe(200)
  const { tokens } = await res.json<{ tokens: { accessToken: string; refreshToken: string } }>()
  return { ...s, ...tokens }
}

describe('bad input', () => {
  it.each([
    ['too long', 'a'.repeat(129)],
    ['a space', 'has space'],
    ['a slash', 'a/b'],
    ['a non-ASCII letter', 'ü'],
    ['a quote', "x'--"],
  ])('answers 400 naming path.serverId for a server id with %s', async (_name, serverId) => {
    const s = await createTokenSession()
    const id = encodeURIComponent(serverId)
    for (const res of [
      await get(s, `/v1/oauth/${id}/tokens`),
      await put(s, `/v1/oauth/${id}/verifier`, { verifier: VERIFIER }),
      await del(s, `/v1/oauth/${id}`),
    ]) {
      const body = await res.json<{ error: { code: string; message: string } }>()
      expect(res.status).toBe(400)
      expect(body.error.code).toBe('invalid_request')
      expect(body.error.message).toContain('path.serverId')
    }
    expect(await listServers(s)).toEqual([])
  })

  it('accepts a 128-character server id', async () => {
    const s = await createTokenSession()
    const serverId = 'A-z_0.9:'.repeat(16)
    expect((await put(s, `/v1/oauth/${serverId}/client`, { client_id: 'c' })).status).toBe(204)
    expect(await listServers(s)).toMatchObject([{ serverId }])
  })

  it('answers 400 naming query.scope for an unknown scope', async () => {
    const s = await createTokenSession()
    await seed(s, 'srv')
    const res = await del(s, '/v1/oauth/srv?scope=everything')
    const body = await res.json<{ error: { code: string; message: string } }>()
    expect(res.status).toBe(400)
    expect(body.error.message).toContain('query.scope')
    expect(await listServers(s)).toMatchObject([{ serverId: 'srv', hasTokens: true }])
  })

  it.each([
    ['tokens', [], 'body'],
    ['tokens', 'a string', 'body'],
    ['tokens', null, 'body'],
    ['tokens', { token_type: 'Bearer' }, 'body.access_token'],
    ['tokens', { access_token: 42, token_type: 'Bearer' }, 'body.access_token'],
    ['tokens', { access_token: 'a' }, 'body.token_type'],
    ['tokens', { access_token: 'a', token_type: 'Bearer', expires_in: '3600' }, 'body.expires_in'],
    ['tokens', { access_token: 'a', token_type: 'Bearer', refresh_token: 1 }, 'body.refresh_token'],
    ['client', [{ client_id: 'c' }], 'body'],
    ['client', {}, 'body.client_id'],
    ['client', { client_id: 7 }, 'body.client_id'],
    ['client', { client_id: 'c', client_secret: false }, 'body.client_secret'],
    ['verifier', {}, 'body.verifier'],
    ['verifier', { verifier: 'short' }, 'body.verifier'],
    ['verifier', { verifier: 'x'.repeat(129) }, 'body.verifier'],
    ['verifier', { verifier: `${'x'.repeat(42)}+` }, 'body.verifier'],
  ])('PUT /%s answers 400 naming %j’s bad field', async (what, body, field) => {
    const s = await createTokenSession()
    const res = await put(s, `/v1/oauth/srv/${what}`, body)
    const error = await res.json<{ error: { code: string; message: string } }>()
    expect(res.status).toBe(400)
    expect(error.error.code).toBe('invalid_request')
    expect(error.error.message).toContain(field)
    expect(await listServers(s)).toEqual([])
  })

  it.each(['tokens', 'client', 'verifier'])(
    'PUT /%s answers 400 for a body that is not JSON',
    async (what) => {
      const s = await createTokenSession()
      await expectError(
        await put(s, `/v1/oauth/srv/${what}`, '{"access_token":'),
        400,
        'invalid_request',
      )
    },
  )

  it('answers 415 for a body sent without a JSON content type', async () => {
    const s = await createTokenSession()
    const res = await api('/v1/oauth/srv/tokens', {
      method: 'PUT',
      headers: { ...bearer(s.accessToken), 'Content-Type': 'text/plain' },
      body: JSON.stringify({ access_token: 'a', token_type: 'Bearer' }),
    })
    await expectError(res, 415, 'unsupported_media_type')
    expect(await listServers(s)).toEqual([])
  })

  it('takes tokens of exactly 16 KiB as JSON and refuses one byte more with 413', async () => {
    const s = await createTokenSession()
    const base = { access_token: 'a', token_type: 'Bearer', padding: '' }
    const exact = { ...base, padding: 'p'.repeat(16 * 1024 - JSON.stringify(base).length) }
    expect(JSON.stringify(exact)).toHaveLength(16 * 1024)
    expect((await put(s, '/v1/oauth/srv/tokens', exact)).status).toBe(204)
    const over = { ...exact, padding: `${exact.padding}p` }
    await expectError(await put(s, '/v1/oauth/srv/tokens', over), 413, 'payload_too_large')
    // Multi-byte characters count as bytes, not as characters.
    const wide = { client_id: 'c', client_name: 'é'.repeat(8200) }
    await expectError(await put(s, '/v1/oauth/srv/client', wide), 413, 'payload_too_large')
    // Above the app's raw limit the body is refused before it is read.
    const huge = { client_id: 'c', padding: 'p'.repeat(70 * 1024) }
    await expectError(await put(s, '/v1/oauth/srv/client', huge), 413, 'payload_too_large')
    expect(await (await get(s, '/v1/oauth/srv/tokens')).json()).toEqual(exact)
    await expectError(await get(s, '/v1/oauth/srv/client'), 404, 'not_found')
  })
})

describe('isolation between users', () => {
  it('shows user B nothing of user A’s and leaves A’s records alone', async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    const { tokens, client } = await seed(a, 'shared-name')
    const before = await rowsOf(a.userId)

    expect(await listServers(b)).toEqual([])
    await expectError(await get(b, '/v1/oauth/shared-name/tokens'), 404, 'not_found')
    await expectError(await get(b, '/v1/oauth/shared-name/client'), 404, 'not_found')
    await expectError(await get(b, '/v1/oauth/shared-name/verifier'), 404, 'not_found')
    expect((await del(b, '/v1/oauth/shared-name')).status).toBe(204)
    expect((await del(b, '/v1/oauth/shared-name/tokens')).status).toBe(204)
    expect((await del(b, '/v1/oauth')).status).toBe(204)
    // B writing under the same server id makes B's own record.
    expect((await put(b, '/v1/oauth/shared-name/tokens', tokensFor('b'))).status).toBe(204)

    expect(await rowsOf(a.userId)).toEqual(before)
    expect(await (await get(a, '/v1/oauth/shared-name/tokens')).json()).toEqual(tokens)
    expect(await (await get(a, '/v1/oauth/shared-name/client')).json()).toEqual(client)
  })
})

function signIn(path: string, email: string, from?: TokenSession) {
  if (path === '/v1/auth/register') return createAccount(email, PASSWORD, from)
  return api(path, {
    method: 'POST',
    headers: jsonHeaders(from ? bearer(from.accessToken) : {}),
    body: JSON.stringify({
      email,
      password: PASSWORD,
      ...(from ? { refreshToken: from.refreshToken } : {}),
    }),
  })
}

const asSession = (body: SignInBody): TokenSession => ({
  userId: body.user.id,
  sessionId: '',
  ...body.tokens,
})

describe('merging into an account', () => {
  it('moves an anonymous user’s records into the new account once, re-sealed under its key', async () => {
    const anon = await createTokenSession()
    const github = await seed(anon, 'github')
    const linear = await seed(anon, 'linear')
    const discovery = { authorizationServerUrl: 'https://as.example.com' }
    const key = { userId: anon.userId, serverId: 'github' }
    await saveOAuthDiscovery(await runtime(), key, discovery, Date.now())

    const res = await signIn('/v1/auth/register', uniqueEmail(), anon)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.merge).toMatchObject({
      from: anon.userId,
      into: body.user.id,
      moved: { oauth: 2 },
      conflicts: [],
    })

    const account = asSession(body)
    expect(await listServers(account)).toMatchObject([
      { serverId: 'github', hasTokens: true, hasClient: true, hasVerifier: true },
      { serverId: 'linear', hasTokens: true, hasClient: true, hasVerifier: true },
    ])
    for (const [serverId, stored] of [
      ['github', github],
      ['linear', linear],
    ] as const) {
      expect(await (await get(account, `/v1/oauth/${serverId}/tokens`)).json()).toEqual(
        stored.tokens,
      )
      expect(await (await get(account, `/v1/oauth/${serverId}/client`)).json()).toEqual(
        stored.client,
      )
      expect(await (await get(account, `/v1/oauth/${serverId}/verifier`)).json()).toEqual({
        verifier: VERIFIER,
      })
    }
    expect(await rowsOf(anon.userId)).toEqual([])
    const rows = await rowsOf(body.user.id)
    expect(rows).toHaveLength(2)
    // Sealed under the account's key now: the anonymous user's key opens nothing.
    const anonKeys = userKeys(anon.userId)
    const slot = oauthSlot('tokens', anon.userId, rows[0]!.server_id as string)
    await expect(openValue(anonKeys, rows[0]!.tokens_sealed as string, slot)).rejects.toThrow()
    // The discovery state (public metadata, unsealed) moves with its record.
    expect(rows.map((row) => row.discovery_json)).toEqual([JSON.stringify(discovery), null])
    expect((await del(account, '/v1/oauth/github?scope=discovery')).status).toBe(204)
    expect((await rowsOf(body.user.id))[0]).toMatchObject({ discovery_json: null })
    expect((await get(account, '/v1/oauth/github/tokens')).status).toBe(200)
  })

  it('keeps the account’s record for a server id both have and reports the conflict', async () => {
    const email = uniqueEmail()
    const registered = await signIn('/v1/auth/register', email)
    expect(registered.status).toBe(200)
    const owner = asSession(await registered.json<SignInBody>())
    const ownerGithub = await seed(owner, 'github')

    const anon = await createTokenSession()
    await seed(anon, 'github')
    const linear = await seed(anon, 'linear')

    const res = await signIn('/v1/auth/login', email, anon)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user.id).toBe(owner.userId)
    expect(body.merge).toMatchObject({
      from: anon.userId,
      into: owner.userId,
      moved: { oauth: 1 },
      conflicts: [{ kind: 'oauth', key: 'github' }],
    })

    const account = asSession(body)
    expect(await (await get(account, '/v1/oauth/github/tokens')).json()).toEqual(ownerGithub.tokens)
    expect(await (await get(account, '/v1/oauth/github/client')).json()).toEqual(ownerGithub.client)
    expect(await (await get(account, '/v1/oauth/linear/tokens')).json()).toEqual(linear.tokens)
    expect((await listServers(account)).map((s) => s.serverId)).toEqual(['github', 'linear'])
    expect(await rowsOf(anon.userId)).toEqual([])
  })
})
