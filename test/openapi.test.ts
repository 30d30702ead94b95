import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app'
import { api, runtime } from './helpers'

interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, unknown>>
}

/** `/v1/sessions/{id}` as Hono writes it: `/v1/sessions/:id`. */
const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1')

/** Routes with a handler of their own: middleware (`*` paths, ALL) and the docs are not the API. */
async function servedRoutes() {
  const app = createApp(await runtime())
  // The demo page and its scripts (DEMO=true only) serve a person, not the JSON contract.
  const undocumented = new Set(['/openapi.json', '/docs', '/', '/demo/client.js', '/demo/app.js'])
  return new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !undocumented.has(r.path))
      .map((r) => `${r.method} ${r.path}`),
  )
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route the app serves, and nothing else', async () => {
    const res = await api('/openapi.json')
    expect(res.status).toBe(200)
    const doc = await res.json<OpenApiDocument>()
    expect(doc.openapi).toBe('3.1.0')
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${toHonoPath(path)}`),
      ),
    )
    const served = await servedRoutes()
    expect([...served].filter((r) => !documented.has(r))).toEqual([])
    expect([...documented].filter((r) => !served.has(r))).toEqual([])
    expect(served.size).toBeGreaterThan(30)
  })

  it('documents the error shape on failing responses', async () => {
    const doc = await (
      await api('/openapi.json')
    ).json<OpenApiDocument & { components: { schemas: Record<string, unknown> } }>()
    expect(doc.components.schemas).toHaveProperty('Error')
    expect(doc.paths['/v1/sessions/{id}']?.delete).toMatchObject({
      responses: { 404: expect.anything() },
    })
  })

  it('serves a page that renders it at /docs', async () => {
    const res = await api('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    expect(await res.text()).toContain('/openapi.json')
  })
})
