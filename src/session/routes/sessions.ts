/** Session resources: create an anonymous session, list this user's sessions, revoke one. */
import { createRoute, z } from '@hono/zod-openapi'
import { deliverSession, issuedTokens } from '../../http/transport'
import { requireUser, userContext } from '../user-context'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { ID_PATTERNS } from '../../platform/ids'
import {
  errorResponses,
  jsonContent,
  SessionSchema,
  UserSessionSchema,
} from '../../platform/openapi/schemas'
import { toSession, toUserSession } from '../../platform/openapi/views'
import { createAnonymousSession, listCallerSessions, revokeSession } from '../lifecycle'
import { PUBLIC_ACCESS, USER_ACCESS } from '../../platform/openapi/components'

const SessionIdParam = z.object({
  id: z
    .string()
    .regex(ID_PATTERNS.sess, 'must be a session id (sess_ followed by 26 base32 characters)'),
})

export const sessionRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions/anonymous',
      operationId: 'startAnonymousSession',
      security: PUBLIC_ACCESS,
      tags: ['Sessions'],
      summary: 'Start a new anonymous user and session',
      responses: {
        201: jsonContent(UserSessionSchema, 'The new anonymous user and session'),
        ...errorResponses(403, 429),
      },
    }),
    async (c) => {
      const issued = await createAnonymousSession(c.var.rt, requestMeta(c))
      deliverSession(c, issued)
      return c.json({ ...toUserSession(issued.view), ...issuedTokens(c) }, 201)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions',
      operationId: 'listSessions',
      security: USER_ACCESS,
      tags: ['Sessions'],
      summary: "This user's live sessions, newest first",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: {
        200: jsonContent(z.object({ sessions: z.array(SessionSchema) }), 'Live sessions'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const me = requireUser(c)
      const rows = await listCallerSessions(c.var.rt, { ...me, issuedAt: c.var.tokenIssuedAt })
      return c.json({ sessions: rows.map((row) => toSession(row, me.sessionId)) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/sessions/{id}',
      operationId: 'revokeSession',
      security: USER_ACCESS,
      tags: ['Sessions'],
      summary: 'Revoke one of this user’s sessions',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: SessionIdParam },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const me = requireUser(c)
      await revokeSession(c.var.rt, me.id, c.req.valid('param').id, 'revoked', requestMeta(c))
      return c.body(null, 204)
    },
  )
