import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, TOKEN_TRANSPORT } from './helpers'
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
