import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, TOKEN_TRANSPORT, type TokenSession } from './helpers'
import { documentedRoutes, fillPath, type DocumentedRoute } from './openapi-routes'

const as = (s: TokenSession, method: string, path: string, body?: unknown) =>
  api(path, {
    method,
    headers: { ...bearer(s.accessToken), ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

/** User A with one of every kind of data, each value a marker that must never reach B. */
async function seedA() {
  const a = await createTokenSession()
  const marker = `A-ONLY-${crypto.randomUUID()}`
  await as(a, 'PATCH', '/v1/me/preferences', { theme: 'dark', note: marker })
  await as(a, 'PUT', '/v1/me/secrets/a-key', { value: marker })
  await as(a, 'PUT', '/v1/oauth/a-server/tokens', { access_token: marker, token_type: 'Bearer' })
  const doc = await (
    await as(a, 'POST', '/v1/documents', { title: marker, content: marker })
  ).json<{ document: { id: string } }>()
  return { a, marker, docId: doc.document.id }
}

/** Everything A can read of its own data. */
async function snapshot(a: TokenSession, docId: string) {
  const paths = [
    '/v1/me/preferences',
    '/v1/me/secrets',
    '/v1/me/secrets/a-key',
    '/v1/oauth',
    '/v1/oauth/a-server/tokens',
    '/v1/documents',
    `/v1/documents/${docId}`,
    '/v1/sessions',
  ]
  return Promise.all(
    paths.map(async (path) => {
      const res = await as(a, 'GET', path)
      return [path, res.status, await res.text()]
    }),
  )
}

/** A plausible body for each route that takes one: B tries to do real work with A's ids. */
function bodyFor(route: DocumentedRoute, marker: string): unknown {
  const bodies: Record<string, unknown> = {
    '/v1/me/preferences': { theme: 'light' },
    '/v1/me/secrets/{name}': { value: 'b-value' },
    '/v1/documents': { title: 'B', content: 'b' },
    '/v1/documents/{id}': { title: 'B was here' },
    '/v1/oauth/{serverId}/tokens': { access_token: 'b', token_type: 'Bearer' },
    '/v1/oauth/{serverId}/client': { client_id: 'b' },
    '/v1/oauth/{serverId}/verifier': { verifier: 'v'.repeat(43) },
    '/v1/auth/register': {
      email: `b-${crypto.randomUUID()}@example.com`,
      password: 'b password 123',
    },
    '/v1/auth/login': { email: 'nobody@example.com', password: 'b password 123' },
    '/v1/auth/magic-link': { email: `b-${crypto.randomUUID()}@example.com` },
    '/v1/auth/magic-link/verify': { token: 'x'.repeat(43) },
    '/v1/auth/magic-link/preview': { token: 'x'.repeat(43) },
    '/v1/auth/magic-link/code': { email: 'nobody@example.com', code: 'AAAA-AAAA' },
    '/v1/auth/register/confirm': { token: 'x'.repeat(43) },
    '/v1/auth/register/code': { email: 'nobody@example.com', code: 'AAAA-AAAA' },
    '/v1/auth/password': { currentPassword: 'x', newPassword: 'b password 123' },
    '/v1/auth/refresh': {},
    '/v1/admin/import': { importId: marker, oauth: [] },
  }
  return bodies[route.path] ?? {}
}

describe('isolation, generated from the OpenAPI document', () => {
  it("gives user B nothing of A's on any documented route, and leaves A's data as it was", async () => {
    const { a, marker, docId } = await seedA()
    const before = await snapshot(a, docId)
    const aValues: Record<string, string> = { id: docId, name: 'a-key', serverId: 'a-server' }
    const routes = await documentedRoutes()
    expect(routes.length).toBeGreaterThan(40)
    for (const route of routes) {
      // A fresh B for each route: logout and the like must not blunt the routes after them.
      const b = await createTokenSession()
      const idFor = (param: string) => {
        if (param !== 'id') return aValues[param]!
        if (route.path.startsWith('/v1/sessions')) return a.sessionId
        if (route.path.startsWith('/v1/admin/users')) return a.userId
        return docId
      }
      const path = fillPath(route, idFor)
      const res = await as(
        b,
        route.method,
        path,
        route.hasBody ? bodyFor(route, marker) : undefined,
      )
      const text = await res.text()
      expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500)
      expect(text, `${route.method} ${route.path} leaked A's data`).not.toContain(marker)
      if (route.params.length > 0 && route.method === 'GET') {
        expect(res.status, `${route.method} ${route.path} with A's ${route.params}`).not.toBe(200)
      }
    }
    expect(await snapshot(a, docId)).toEqual(before)
  })
})
