import { env } from 'cloudflare:workers'
import { generateKeyPair } from 'jose'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { signAccessToken, type AccessClaims } from '../../src/platform/tokens/access-token'
import { createId } from '../../src/platform/ids'
import type { TokenInfo, User } from '../../src/rpc/session-service'
import type { toUser } from '../../src/platform/openapi/views'
import {
  api,
  bearer,
  createAccount,
  createStoredSession,
  expectError,
  refreshWithToken,
  runtime,
  uniqueEmail,
} from '../helpers'

// Every call goes test → consumer Worker (fetch) → `env.AUTH` service binding → SessionService.
async function call<T>(
  method: 'verify' | 'get-user' | 'resolve-user' | 'revoke-session',
  arg: unknown,
  options?: unknown,
) {
  const res = await env.CONSUMER.fetch(`https://consumer.test/${method}`, {
    method: 'POST',
    body: JSON.stringify({ arg, options }),
  })
  expect(res.status).toBe(200)
  return (await res.json<{ result: T }>()).result
}

const verify = (token: unknown, options?: unknown) =>
  call<TokenInfo | null>('verify', token, options)
const getUser = (id: unknown) => call<User | null>('get-user', id)
const resolveUser = (id: unknown) => call<User | null>('resolve-user', id)
const revokeSession = (id: unknown) => call<boolean>('revoke-session', id)

async function register(from: { accessToken: string; refreshToken: string }) {
  const res = await createAccount(uniqueEmail(), 'a long enough passphrase 42', from)
  expect(res.status).toBe(200)
  return res.json<{ user: User }>()
}

describe('SessionService over a service binding', () => {
  it('answers in the shapes the library publishes (src/contract/api.ts)', () => {
    expectTypeOf<TokenInfo>().toEqualTypeOf<
      Pick<AccessClaims, 'sub' | 'sid' | 'anon' | 'role' | 'iat' | 'exp'>
    >()
    expectTypeOf<User>().toEqualTypeOf<ReturnType<typeof toUser>>()
  })

  it('verify: the claims of a real token, exactly as token-info answers them', async () => {
    const s = await createStoredSession()
    const claims = await verify(s.accessToken)
    const info = await api('/v1/auth/token-info', { headers: bearer(s.accessToken) })
    expect(claims).toEqual(await info.json())
    expect(claims).toMatchObject({ sub: s.userId, sid: s.sessionId, anon: true, role: 'user' })
  })

  it('verify: null for a forged, expired or malformed token, and for a non-string', async () => {
    const s = await createStoredSession()
    const keys = await (await runtime()).keys.get()
    const audience = { issuer: 'https://auth.example.com', audience: 'https://app.example.com' }
    const claims = {
      userId: s.userId,
      sessionId: s.sessionId,
      isAnonymous: true,
      role: 'admin',
      email: null,
      ttlSeconds: 300,
    }
    const { privateKey } = await generateKeyPair('ES256')
    const forged = await signAccessToken(
      { ...keys, signer: { kid: keys.signer.kid, privateKey } },
      audience,
      { ...claims, now: Date.now() },
    )
    const expired = await signAccessToken(keys, audience, {
      ...claims,
      now: Date.now() - 3_600_000,
    })
    for (const token of [forged, expired, 'not-a-jwt', `${s.accessToken}x`, 42, null]) {
      expect(await verify(token)).toBeNull()
    }
  })

  it('verify with fresh: null at once after revokeSession, while the plain check still passes', async () => {
    const s = await createStoredSession()
    expect(await verify(s.accessToken, { fresh: true })).toMatchObject({ sub: s.userId })
    expect(await revokeSession(s.sessionId)).toBe(true)
    // The JWT itself is still within its lifetime: only the session's object knows it is over.
    expect(await verify(s.accessToken)).toMatchObject({ sub: s.userId })
    expect(await verify(s.accessToken, { fresh: true })).toBeNull()
  })

  it('verify with fresh: null for a token whose user has since signed in (merged)', async () => {
    const s = await createStoredSession()
    await register(s)
    // The session now belongs to the account; the old anonymous token names the wrong subject.
    expect(await verify(s.accessToken, { fresh: true })).toBeNull()
  })

  it('verify: options other than { fresh: boolean } are ignored, not a crash', async () => {
    const s = await createStoredSession()
    for (const options of [null, 'fresh', { fresh: 'yes' }, 7]) {
      expect(await verify(s.accessToken, options)).toMatchObject({ sub: s.userId })
    }
  })

  it('resolveUser: follows a merged anonymous user to its account', async () => {
    const s = await createStoredSession()
    expect(await resolveUser(s.userId)).toMatchObject({ id: s.userId, isAnonymous: true })
    const { user } = await register(s)
    expect(await resolveUser(s.userId)).toEqual(user)
    expect(await resolveUser(user.id)).toEqual(user)
  })

  it('resolveUser: null for an unknown or malformed id', async () => {
    for (const id of [createId('usr'), createId('anon'), createId('sess'), "anon_' or 1=1", {}]) {
      expect(await resolveUser(id)).toBeNull()
    }
  })

  it('getUser: the contract User of an anonymous user and of an account', async () => {
    const s = await createStoredSession()
    const anon = await getUser(s.userId)
    expect(anon).toEqual({
      id: s.userId,
      email: null,
      isAnonymous: true,
      role: 'user',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    const { user } = await register(s)
    expect(await getUser(user.id)).toEqual(user)
    // The anonymous user was merged into the account: it no longer exists as a user.
    expect(await getUser(s.userId)).toBeNull()
  })

  it('getUser: null for an unknown or malformed id, before any lookup', async () => {
    for (const id of [createId('usr'), createId('anon'), createId('sess'), "usr_' or 1=1", 7]) {
      expect(await getUser(id)).toBeNull()
    }
  })

  it('revokeSession: ends a live session in its object and in D1, audited, once', async () => {
    const s = await createStoredSession()
    expect(await revokeSession(s.sessionId)).toBe(true)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
    const row = await env.DB.prepare('select revoked_at from sessions where id = ?')
      .bind(s.sessionId)
      .first<{ revoked_at: number | null }>()
    expect(row?.revoked_at).toEqual(expect.any(Number))
    const events = await env.DB.prepare(
      'select type, user_id, detail from audit_events where session_id = ? order by id',
    )
      .bind(s.sessionId)
      .all<{ type: string; user_id: string; detail: string }>()
    expect(events.results.at(-1)).toEqual({
      type: 'session.revoked',
      user_id: s.userId,
      detail: JSON.stringify({ via: 'rpc' }),
    })
    expect(await revokeSession(s.sessionId)).toBe(false)
  })

  it('revokeSession: takes the session object at its word when the D1 index lags behind', async () => {
    const s = await createStoredSession()
    await env.DB.prepare('update sessions set expires_at = 0 where id = ?').bind(s.sessionId).run()
    expect(await revokeSession(s.sessionId)).toBe(true)
    await expectError(await refreshWithToken(s.refreshToken), 401, 'invalid_refresh_token')
  })

  it('revokeSession: false for an unknown or malformed session id', async () => {
    for (const id of [createId('sess'), 'sess_nope', createId('usr'), undefined]) {
      expect(await revokeSession(id)).toBe(false)
    }
  })
})

// Last in the file: each isolate caches the switch for 30 s by design, so tests after this one
// would meet it even though the row itself is rolled back after the test.
describe('SessionService and the kill switch', () => {
  it('verify: null for a token issued before the kill switch, like the HTTP fast path', async () => {
    const s = await createStoredSession()
    expect(await verify(s.accessToken)).not.toBeNull()
    const pulled = await api('/v1/admin/kill-switch', {
      method: 'POST',
      headers: bearer('test-admin-token-0123456789'),
    })
    expect(pulled.status).toBe(200)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 1_000)
    try {
      expect(await verify(s.accessToken)).toBeNull()
      const fresh = await createStoredSession()
      expect(await verify(fresh.accessToken)).toMatchObject({ sub: fresh.userId })
    } finally {
      vi.useRealTimers()
    }
  })
})
