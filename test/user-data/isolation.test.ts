import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, type TokenSession } from '../helpers'

const as = (s: TokenSession, method: string, path: string, body?: unknown) =>
  api(path, {
    method,
    headers: { ...bearer(s.accessToken), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

/** Everything A can see of its own data, timestamps included. */
async function snapshot(a: TokenSession, secretName: string, docId: string) {
  const read = async (path: string) => {
    const res = await as(a, 'GET', path)
    expect(res.status).toBe(200)
    return res.json()
  }
  return {
    preferences: await read('/v1/me/preferences'),
    secrets: await read('/v1/me/secrets'),
    secret: await read(`/v1/me/secrets/${secretName}`),
    documents: await read('/v1/documents'),
    document: await read(`/v1/documents/${docId}`),
  }
}

describe('one user cannot reach another user’s data', () => {
  it("answers 404 (or lists nothing of A's) for every route B calls with A's ids and names, leaving A's data unchanged", async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    const secretName = 'a-key'
    expect((await as(a, 'PATCH', '/v1/me/preferences', { theme: 'dark', aOnly: 1 })).status).toBe(
      200,
    )
    expect((await as(a, 'PUT', `/v1/me/secrets/${secretName}`, { value: 'a-value' })).status).toBe(
      204,
    )
    const created = await as(a, 'POST', '/v1/documents', { title: 'A', content: 'a content' })
    const docId = (await created.json<{ document: { id: string } }>()).document.id
    const before = await snapshot(a, secretName, docId)

    const notFound = async (res: Response) => {
      expect(res.status).toBe(404)
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found')
    }
    // Ordered so B's own writes (last) cannot be mistaken for A's data by the reads before them.
    const cases: Array<
      [route: string, call: () => Promise<Response>, check: (res: Response) => Promise<void>]
    > = [
      [
        'GET /v1/me/preferences',
        () => as(b, 'GET', '/v1/me/preferences'),
        async (res) => expect(await res.json()).toEqual({ preferences: {} }),
      ],
      [
        'GET /v1/me/secrets',
        () => as(b, 'GET', '/v1/me/secrets'),
        async (res) => expect(await res.json()).toEqual({ secrets: [] }),
      ],
      ['GET /v1/me/secrets/{name}', () => as(b, 'GET', `/v1/me/secrets/${secretName}`), notFound],
      [
        'DELETE /v1/me/secrets/{name}',
        () => as(b, 'DELETE', `/v1/me/secrets/${secretName}`),
        notFound,
      ],
      [
        'GET /v1/documents',
        () => as(b, 'GET', '/v1/documents?limit=100'),
        async (res) => expect(await res.json()).toEqual({ documents: [], nextCursor: null }),
      ],
      ['GET /v1/documents/{id}', () => as(b, 'GET', `/v1/documents/${docId}`), notFound],
      [
        'PATCH /v1/documents/{id}',
        () => as(b, 'PATCH', `/v1/documents/${docId}`, { title: 'B was here', content: 'x' }),
        notFound,
      ],
      ['DELETE /v1/documents/{id}', () => as(b, 'DELETE', `/v1/documents/${docId}`), notFound],
      [
        'GET /v1/me/events',
        () => as(b, 'GET', '/v1/me/events?limit=100'),
        async (res) => {
          const { events } = await res.json<{ events: Array<{ sessionId: string | null }> }>()
          expect(events.length).toBeGreaterThan(0)
          expect(events.filter((e) => e.sessionId !== b.sessionId)).toEqual([])
        },
      ],
      [
        'PATCH /v1/me/preferences',
        () => as(b, 'PATCH', '/v1/me/preferences', { theme: 'light', aOnly: null }),
        async (res) => expect(await res.json()).toEqual({ preferences: { theme: 'light' } }),
      ],
      [
        'PUT /v1/me/secrets/{name}',
        () => as(b, 'PUT', `/v1/me/secrets/${secretName}`, { value: 'b-value' }),
        async (res) => {
          expect(res.status).toBe(204)
          const own = await as(b, 'GET', `/v1/me/secrets/${secretName}`)
          expect(await own.json()).toEqual({ name: secretName, value: 'b-value' })
        },
      ],
      [
        'POST /v1/documents',
        () => as(b, 'POST', '/v1/documents', { title: 'B', content: 'b content' }),
        async (res) => {
          expect(res.status).toBe(201)
          const { documents } = await (
            await as(b, 'GET', '/v1/documents')
          ).json<{
            documents: Array<{ id: string }>
          }>()
          expect(documents.map((d) => d.id)).not.toContain(docId)
        },
      ],
    ]

    for (const [route, call, check] of cases) {
      const res = await call()
      expect(res.status, route).toBeLessThan(500)
      await check(res)
      expect(await snapshot(a, secretName, docId), `A's data after B's ${route}`).toEqual(before)
    }
  })
})
