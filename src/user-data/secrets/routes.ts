/**
 * `/v1/me/secrets`: the caller's secrets. Listing shows names only; a value is shown only on its
 * own read, which checks with the session's Durable Object that the session is still live.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../../session'
import { createRouter } from '../../http/router'
import { errorResponses, jsonContent } from '../../platform/openapi/schemas'
import {
  listSecrets,
  putSecret,
  readSecret,
  removeSecret,
  SecretNameSchema,
  SecretValueSchema,
} from './service'
import { USER_ACCESS } from '../../platform/openapi/components'

const NameParam = z.object({ name: SecretNameSchema })

const SecretSummarySchema = z
  .object({ name: z.string(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .openapi('SecretSummary')

const iso = (ms: number) => new Date(ms).toISOString()

export const secretRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/secrets',
      operationId: 'listSecrets',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: "This user's secrets by name, without values",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: {
        200: jsonContent(z.object({ secrets: z.array(SecretSummarySchema) }), 'Secrets by name'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const rows = await listSecrets(c.var.rt, requireUser(c).id)
      const secrets = rows.map((row) => ({
        name: row.name,
        createdAt: iso(row.createdAt),
        updatedAt: iso(row.updatedAt),
      }))
      return c.json({ secrets }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/v1/me/secrets/{name}',
      operationId: 'putSecret',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: 'Store a secret under a name, replacing any earlier value',
      middleware: [userContext({ mode: 'required' })] as const,
      request: {
        params: NameParam,
        body: {
          content: { 'application/json': { schema: z.object({ value: SecretValueSchema }) } },
          required: true,
        },
      },
      responses: { 204: { description: 'Stored' }, ...errorResponses(400, 401, 409, 413) },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      await putSecret(c.var.rt, requireUser(c).id, name, c.req.valid('json').value)
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/secrets/{name}',
      operationId: 'getSecret',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: "One secret's value; the session must still be live",
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: { params: NameParam },
      responses: {
        200: jsonContent(z.object({ name: z.string(), value: z.string() }), 'The secret'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      return c.json({ name, value: await readSecret(c.var.rt, requireUser(c).id, name) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/me/secrets/{name}',
      operationId: 'deleteSecret',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: 'Delete a secret',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: NameParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      await removeSecret(c.var.rt, requireUser(c).id, c.req.valid('param').name)
      return c.body(null, 204)
    },
  )
