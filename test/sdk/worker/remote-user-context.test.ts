import { env, exports } from 'cloudflare:workers'
import { Hono } from 'hono'
import { importJWK } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { signAccessToken } from '../../../src/platform/tokens/access-token'
import { createSigningKeyRow } from '../../../src/platform/tokens/signing-keys'
import { insertSigningKey } from '../../../src/platform/tokens/signing-key-queries'
import {
  userContext,
  type UserContextMode,
  type UserContextOptions,
  type UserContext,
} from '../../../src/sdk/worker'
import { runtimeFor } from '../../../src/platform/runtime-cache'
import { openValue, signingKeySlot } from '../../../src/platform/crypto/sealing'
import { AUDIENCE, claimsFor, forgedTokens, signOurs } from '../../forged-tokens'
import { BASE, bearer, CookieJar, createTokenSession, expectError } from '../../helpers'
import { createSessionClient } from '../../../src/sdk/client'
import { workerFetch } from '../client/worker-fetch'

const JWKS_URL = `${BASE}/.well-known/jwks.json`

/**
 * Another Worker's Hono app behind the middleware. Its JWKS requests go to the real service
 * (`exports.default`) through the `fetch` option, and are counted.
 */
function consumerApp(mode: UserContextMode, options: Partial<UserContextOptions> = {}) {
  const jwksFetches: string[] = []
  const app = new Hono()
  app.get(
    '/whoami',
    userContext({
      jwksUrl: JWKS_URL,
      ...AUDIENCE,
      mode,
      fetch: (url, init) => {
        jwksFetches.push(url)
        return exports.default.fetch(new Request(url, init))
      },
      ...options,
    }),
    (c) => c.json({ user: c.var.user }),
  )
  const request = (init: RequestInit = {}) => app.request('https://consumer.test/whoami', init)
  return { request, jwksFetches }
}

async function userOf(res: Response): Promise<UserContext | null> {
  expect(res.status).toBe(200)
  return (await res.json<{ user: UserContext | null }>()).user
}

async function expect401(res: Response, code: string) {
  await expectError(res, 401, code)
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
}

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('remote userContext (library middleware)', () => {
  it('verifies a real token against the service JWKS and sets c.var.user', async () => {
    const s = await createTokenSession()
    const { request, jwksFetches } = consumerApp('required')
    expect(await userOf(await request({ headers: bearer(s.accessToken) }))).toEqual({
      id: s.userId,
      email: null,
      isAnonymous: true,
      role: 'user',
      sessionId: s.sessionId,
    })
    expect(jwksFetches).toEqual([JWKS_URL])
  })

  it('fetches the key set once and verifies later tokens from its cache', async () => {
    const { request, jwksFetches } = consumerApp('required')
    for (const s of [await createTokenSession(), await createTokenSession()]) {
      expect((await userOf(await request({ headers: bearer(s.accessToken) })))?.id).toBe(s.userId)
    }
    expect(jwksFetches).toHaveLength(1)
  })

  it('required: 401 unauthenticated with no token, in the service error shape', async () => {
    const { request, jwksFetches } = consumerApp('required')
    await expect401(await request(), 'unauthenticated')
    expect(jwksFetches).toHaveLength(0)
  })

  it('optional: no token gives a null user', async () => {
    expect(await userOf(await consumerApp('optional').request())).toBeNull()
  })

  for (const [name, make] of forgedTokens) {
    it(`refuses ${name} with 401 in both modes`, async () => {
      const token = await make(await createTokenSession())
      for (const mode of ['required', 'optional'] as const) {
        await expect401(
          await consumerApp(mode).request({ headers: bearer(token) }),
          'invalid_token',
        )
      }
    })
  }

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const res = await consumerApp('optional').request({
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
    })
    await expect401(res, 'invalid_token')
  })

  it('reads the __Host-access cookie the service set in a browser', async () => {
    const jar = new CookieJar()
    const me = await (await jar.fetch('/v1/me')).json<{ user: { id: string } }>()
    expect(jar.cookies.has('__Host-access')).toBe(true)
    const user = await userOf(
      await consumerApp('required').request({ headers: { Cookie: jar.header() } }),
    )
    expect(user?.id).toBe(me.user.id)
  })

  it("accepts the token the browser SDK's getToken hands a cookie-transport page", async () => {
    const jar = new CookieJar()
    const client = createSessionClient({ baseUrl: BASE, fetch: workerFetch([], jar) })
    const { user: me } = await client.me()
    const token = await client.getToken()
    const user = await userOf(await consumerApp('required').request({ headers: bearer(token) }))
    expect(user?.id).toBe(me.id)
  })

  it('reads a custom cookie name, and prefers the bearer token to the cookie', async () => {
    const [a, b] = [await createTokenSession(), await createTokenSession()]
    const { request } = consumerApp('required', { cookieName: 'access' })
    const cookie = { Cookie: `access=${a.accessToken}` }
    expect((await userOf(await request({ headers: cookie })))?.id).toBe(a.userId)
    const both = { ...cookie, ...bearer(b.accessToken) }
    expect((await userOf(await request({ headers: both })))?.id).toBe(b.userId)
  })

  it('an expired access cookie: null when optional, 401 invalid_token when required', async () => {
    const expired = await signOurs(await createTokenSession(), {}, Date.now() - 3_600_000)
    const headers = { Cookie: `__Host-access=${expired}` }
    expect(await userOf(await consumerApp('optional').request({ headers }))).toBeNull()
    await expect401(await consumerApp('required').request({ headers }), 'invalid_token')
  })

  it('answers 503 keys_unavailable, not 401, when the JWKS cannot be fetched', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const s = await createTokenSession()
    const { request } = consumerApp('optional', {
      fetch: async () => new Response('upstream down', { status: 502 }),
    })
    const res = await request({ headers: bearer(s.accessToken) })
    await expectError(res, 503, 'keys_unavailable')
    expect(res.headers.get('retry-after')).toBe('5')
  })

  it('picks up a rotated key: an unknown kid refetches the JWKS once the cooldown has passed', async () => {
    const s = await createTokenSession()
    const { request, jwksFetches } = consumerApp('required')
    await userOf(await request({ headers: bearer(s.accessToken) }))

    // A new key, published at once (the service's own cache dropped), signing a token right away.
    const rt = await runtimeFor(env)
    const row = await createSigningKeyRow(rt.masterKeys, Date.now())
    await insertSigningKey(rt.db, row)
    try {
      rt.keys.invalidate()
      const privateKey = (await importJWK(
        JSON.parse(await openValue(rt.masterKeys, row.privateJwkSealed, signingKeySlot(row.kid))),
        'ES256',
      )) as CryptoKey
      const keys = await rt.keys.get()
      const token = await signAccessToken(
        { ...keys, signer: { kid: row.kid, privateKey } },
        AUDIENCE,
        claimsFor(s),
      )
      // Within jose's 30 s cooldown an unknown kid is refused without another fetch...
      await expect401(await request({ headers: bearer(token) }), 'invalid_token')
      expect(jwksFetches).toHaveLength(1)
      // ...after it, the kid triggers one refetch, which finds the new key.
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 31_000)
      expect((await userOf(await request({ headers: bearer(token) })))?.id).toBe(s.userId)
      expect(jwksFetches).toHaveLength(2)
    } finally {
      await env.DB.prepare('delete from signing_keys where kid = ?').bind(row.kid).run()
      rt.keys.invalidate()
    }
  })
})

describe('remote userContext options', () => {
  const valid: UserContextOptions = { jwksUrl: JWKS_URL, ...AUDIENCE, mode: 'required' }

  it.each([
    ['jwksUrl', { jwksUrl: 'http://auth.example.com/.well-known/jwks.json' }],
    ['jwksUrl', { jwksUrl: 'not a url' }],
    ['issuer', { issuer: '' }],
    ['audience', { audience: undefined }],
    ['mode', { mode: 'anonymous-ok' }],
    ['cookieName', { cookieName: 'bad name' }],
    ['fetch', { fetch: 'https://example.com' }],
  ])('throws at construction naming "%s"', (option, override) => {
    const options = { ...valid, ...override } as unknown as UserContextOptions
    expect(() => userContext(options)).toThrow(`option "${option}"`)
  })

  it('accepts plain http for a local service', () => {
    expect(() =>
      userContext({ ...valid, jwksUrl: 'http://localhost:8787/.well-known/jwks.json' }),
    ).not.toThrow()
  })

  it('throws without options at all', () => {
    expect(() => userContext(undefined as unknown as UserContextOptions)).toThrow(
      /requires options/,
    )
  })
})
