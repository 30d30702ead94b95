import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  countRows,
  createTokenSession,
  refreshWithToken,
  TOKEN_TRANSPORT,
} from './helpers'
import { documentedRoutes, fillPath } from './openapi-routes'

/** Pages that answer HTML by design; everything else answers JSON, errors included. */
const HTML_ROUTES = new Set(['/v1/auth/magic-link', '/docs', '/'])
const RUNS_PER_ROUTE = 25

const pathValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^(anon|usr|sess|doc)_[0-9a-z]{26}$/),
  fc.constantFrom('..', '%00', 'a'.repeat(300), 'sess_00000000000000000000000000'),
)
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constant('{"unterminated'),
  fc.constant(undefined),
)
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
)
const cookie = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 80 }).map((v) => `__Host-session=${v}`),
  fc.string({ maxLength: 80 }).map((v) => `__Host-access=${v}; __Host-session=sess_x.${v}`),
)
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant('own'),
  fc.string({ maxLength: 60 }).map((v) => `Bearer ${v}`),
)

describe('property: no input gives a 500 or another user’s data', () => {
  it('answers every documented route with a 2xx/3xx or a 4xx JSON error, whatever the input', async () => {
    const owner = await createTokenSession()
    const marker = `OWNER-${crypto.randomUUID()}`
    await api('/v1/me/secrets/k', {
      method: 'PUT',
      headers: { ...bearer(owner.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: marker }),
    })
    const caller = await createTokenSession()
    const routes = await documentedRoutes()

    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          pathValue,
          body,
          contentType,
          cookie,
          authorization,
          fc.boolean(),
          async (param, payload, type, jar, auth, tokenTransport) => {
            const headers: Record<string, string> = {}
            if (type) headers['Content-Type'] = type
            if (jar) headers.Cookie = jar
            if (auth) headers.Authorization = auth === 'own' ? `Bearer ${caller.accessToken}` : auth
            if (tokenTransport) Object.assign(headers, TOKEN_TRANSPORT)
            const path = fillPath(route, () => param)
            const res = await api(path, {
              method: route.method,
              headers,
              body: route.method === 'GET' ? undefined : payload,
            })
            const text = await res.text()
            const where = `${route.method} ${path} → ${res.status}`
            expect(res.status, where).toBeLessThan(500)
            expect(text, where).not.toContain(marker)
            if (res.status >= 400 && !HTML_ROUTES.has(route.path)) {
              expect(JSON.parse(text), where).toMatchObject({
                error: { code: expect.any(String), message: expect.any(String) },
              })
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      )
    }
  }, 120_000)
})

describe("property: an issued session's first secret opens its own session only, unaltered", () => {
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

  it('refuses every altered or moved first secret, and stores nothing for it', async () => {
    const victim = await createTokenSession()
    const other = await createTokenSession()
    const secret = victim.refreshToken.slice(victim.refreshToken.indexOf('.') + 1)
    await fc.assert(
      fc.asyncProperty(
        fc.nat(secret.length - 1),
        fc.constantFrom(...BASE64URL),
        fc.boolean(),
        async (position, char, moved) => {
          const altered = secret.slice(0, position) + char + secret.slice(position + 1)
          fc.pre(moved || altered !== secret)
          const sessionId = moved ? other.sessionId : victim.sessionId
          const res = await refreshWithToken(`${sessionId}.${altered}`)
          expect(res.status, `${moved ? 'moved' : 'altered'} at ${position}`).toBe(401)
        },
      ),
      { numRuns: 60 },
    )
    expect(
      await countRows(
        'select count(*) as n from users where id in (?, ?)',
        victim.userId,
        other.userId,
      ),
    ).toBe(0)
    // The genuine secrets were never harmed.
    expect((await refreshWithToken(victim.refreshToken)).status).toBe(200)
    expect((await refreshWithToken(other.refreshToken)).status).toBe(200)
  }, 60_000)
})
