import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app'
import { createRuntime } from '../src/platform/runtime'
import { ERROR_CODES } from '../src/contract/error-codes'
import { api, bearer, createTokenSession, expectError, runtime } from './helpers'

interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, unknown>>
}

/** `/v1/sessions/{id}` as Hono writes it: `/v1/sessions/:id`. */
const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1')

/** Routes with a handler of their own: middleware (`*` paths, ALL) and the docs are not the API. */
async function servedRoutes() {
  const app = await createApp(await runtime())
  // The demo page, the React example and their scripts (DEMO=true only) serve a person, not the
  // JSON contract.
  const undocumented = new Set([
    '/openapi.json',
    '/docs',
    '/docs/redoc.standalone.js',
    '/',
    '/demo/client.js',
    '/demo/app.js',
    '/react',
    '/react/',
    '/react/app.js',
  ])
  return new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !undocumented.has(r.path))
      .map((r) => `${r.method} ${r.path}`),
  )
}

interface Operation {
  operationId?: string
  security?: Array<Record<string, string[]>>
  parameters?: unknown[]
  requestBody?: unknown
  responses: Record<string, unknown>
}

interface ServedDocument {
  servers: unknown[]
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; responses: Record<string, { headers?: object }> }
}

async function servedDocument(): Promise<ServedDocument> {
  return (await api('/openapi.json')).json<ServedDocument>()
}

function operations(doc: ServedDocument) {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
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

  it('names every operation once and says who may call it', async () => {
    const ids = new Set<string>()
    for (const { path, method, op } of operations(await servedDocument())) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/)
      expect(ids.has(op.operationId!), `${op.operationId} is used twice`).toBe(false)
      ids.add(op.operationId!)
      expect(op.security, `${method} ${path} declares its security`).toBeInstanceOf(Array)
      const schemes = op.security!.flatMap((req) => Object.keys(req))
      if (path.startsWith('/v1/admin/')) expect(schemes).toContain('adminToken')
      else expect(schemes).not.toContain('adminToken')
    }
    const doc = await servedDocument()
    expect(doc.paths['/healthz']?.get?.security).toEqual([])
    expect(doc.paths['/.well-known/jwks.json']?.get?.security).toEqual([])
    expect(doc.paths['/v1/auth/register']?.post?.security).toContainEqual({})
    expect(doc.paths['/v1/sessions']?.get?.security).not.toContainEqual({})
  })

  it('lists the app-wide error answers: 403 on /v1 writes, 415 on bodies, 503 everywhere', async () => {
    for (const { path, method, op } of operations(await servedDocument())) {
      const where = `${method} ${path}`
      expect(op.responses['503'], where).toEqual({ $ref: '#/components/responses/Unavailable' })
      if (op.requestBody) expect(op.responses['415'], where).toBeDefined()
      if (path.startsWith('/v1/') && method !== 'get') {
        expect(op.responses['403'], where).toEqual({ $ref: '#/components/responses/Forbidden' })
        expect(op.parameters, where).toContainEqual({
          $ref: '#/components/parameters/SessionTransport',
        })
      }
    }
  })

  it('describes the headers its answers set: WWW-Authenticate, Retry-After, Set-Cookie', async () => {
    const doc = await servedDocument()
    const responses = doc.components.responses
    expect(responses.Unauthorized?.headers).toHaveProperty('WWW-Authenticate')
    expect(responses.RateLimited?.headers).toHaveProperty('Retry-After')
    expect(doc.paths['/v1/auth/login']?.post?.responses['429']).toEqual({
      $ref: '#/components/responses/RateLimited',
    })
    for (const [path, status] of [
      ['/v1/sessions/anonymous', '201'],
      ['/v1/auth/refresh', '200'],
      ['/v1/auth/login', '200'],
      ['/v1/auth/logout', '204'],
    ] as const) {
      const response = doc.paths[path]?.post?.responses[status] as { headers?: object }
      expect(response?.headers, `${path} ${status}`).toHaveProperty('Set-Cookie')
    }
  })

  it('enumerates Error.code from the one vocabulary and names the server', async () => {
    const doc = await servedDocument()
    const error = doc.components.schemas.Error as {
      properties: { error: { properties: { code: { enum: string[] } } } }
    }
    expect(error.properties.error.properties.code.enum.sort()).toEqual(
      Object.keys(ERROR_CODES).sort(),
    )
    // The configured public origin, never the Host the request named.
    expect(doc.servers).toEqual([{ url: 'https://auth.example.com', description: 'This service' }])
  })

  it("is the build's document cut to this configuration: its routes, origin and cookie", async () => {
    const served = await servedDocument()
    expect(served.paths['/v1/dev/outbox']?.get).toBeDefined()
    const app = await createApp(
      await createRuntime({
        ...env,
        MAILER: 'resend',
        RESEND_API_KEY: 're_test',
        COOKIE_SECURE: 'false',
        PUBLIC_ORIGIN: 'http://127.0.0.1:8788',
      }),
    )
    const res = await app.request('http://127.0.0.1:8788/openapi.json', {}, env)
    expect(res.status).toBe(200)
    const doc = await res.json<ServedDocument & { components: { securitySchemes: object } }>()
    expect(doc.paths['/v1/dev/outbox']).toBeUndefined()
    expect(Object.keys(doc.paths).length).toBe(Object.keys(served.paths).length - 1)
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:8788', description: 'This service' }])
    expect(doc.components.securitySchemes).toMatchObject({ sessionCookie: { name: 'session' } })
  })

  it('answers a write with a body that is not JSON with the 415 it documents', async () => {
    const { accessToken } = await createTokenSession()
    const res = await api('/v1/documents', {
      method: 'POST',
      headers: { ...bearer(accessToken), 'Content-Type': 'text/plain' },
      body: 'title=x',
    })
    await expectError(res, 415, 'unsupported_media_type')
  })

  it('serves a page that renders it at /docs from static assets, under a nonce CSP', async () => {
    const res = await api('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/https?:/)
    const nonce = /'nonce-([\w-]+)'/.exec(csp)?.[1]
    const page = await res.text()
    expect(page).toContain(`<style nonce="${nonce}">`)
    expect(page).toContain('spec-url="/openapi.json"')
    expect(page).not.toMatch(/https?:\/\//)
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script type="module" src="/docs/redoc.standalone.js">',
    ])
    const renderer = await api('/docs/redoc.standalone.js')
    expect(renderer.status).toBe(200)
    expect(renderer.headers.get('content-type')).toMatch(/javascript/)
    expect(await renderer.text()).toContain('RedocStandalone')
  })
})
