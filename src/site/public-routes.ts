/** Public endpoints: the JWKS other services verify with, and the health check. */
import { createRoute, z } from '@hono/zod-openapi'
import pkg from '../../package.json'
import { KEY_CACHE_TTL_MS } from '../platform/tokens/signing-keys'
import { createRouter } from '../http/router'
import { jsonContent } from '../platform/openapi/schemas'
import { PUBLIC_ACCESS } from '../platform/openapi/components'

const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('JWKS')

export const publicRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'getJwks',
      security: PUBLIC_ACCESS,
      tags: ['Public'],
      summary: 'The public signing keys (RFC 7517)',
      responses: { 200: jsonContent(JwksSchema, 'The key set') },
    }),
    async (c) => {
      const keys = await c.var.rt.keys.get()
      // Remote verifiers may cache as long as an isolate does: a new key signs only after that.
      c.header('Cache-Control', `public, max-age=${KEY_CACHE_TTL_MS / 1000}`)
      return c.json({ keys: keys.publicKeys.map((key) => key.jwk) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      security: PUBLIC_ACCESS,
      tags: ['Public'],
      summary: 'Liveness',
      responses: {
        200: jsonContent(z.object({ ok: z.literal(true), version: z.string() }), 'Alive'),
      },
    }),
    (c) => c.json({ ok: true as const, version: pkg.version }, 200),
  )
