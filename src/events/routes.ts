/** `GET /v1/me/events`: the caller's own audit trail, newest first. */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../session'
import { listUserEvents } from './trail-queries'
import { createRouter } from '../http/router'
import { errorResponses, jsonContent } from '../platform/openapi/schemas'
import { USER_ACCESS } from '../platform/openapi/components'

const EventSchema = z
  .object({
    type: z.string().openapi({ example: 'session.created' }),
    at: z.iso.datetime(),
    sessionId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent')

const EventsQuery = z.object({
  limit: z.coerce
    .number('must be an integer from 1 to 100')
    .int('must be an integer from 1 to 100')
    .min(1, 'must be an integer from 1 to 100')
    .max(100, 'must be an integer from 1 to 100')
    .default(50),
})

export const eventRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/v1/me/events',
    operationId: 'listEvents',
    security: USER_ACCESS,
    tags: ['User data'],
    summary: "This user's latest audit events, newest first",
    middleware: [userContext({ mode: 'required' })] as const,
    request: { query: EventsQuery },
    responses: {
      200: jsonContent(z.object({ events: z.array(EventSchema) }), 'Audit events'),
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const rows = await listUserEvents(c.var.rt.db, requireUser(c).id, c.req.valid('query').limit)
    const events = rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() }))
    return c.json({ events }, 200)
  },
)
