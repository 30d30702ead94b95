/** `GET /v1/me`: who am I. Creates an anonymous session on first contact. */
import { createRoute } from '@hono/zod-openapi'
import { issuedTokens } from '../../http/transport'
import { requireUser, userContext } from '../user-context'
import { createRouter } from '../../http/router'
import { errorResponses, jsonContent, UserSessionSchema } from '../../platform/openapi/schemas'
import { toUserSession } from '../../platform/openapi/views'
import { describeSession } from '../lifecycle'
import { OPTIONAL_USER_ACCESS } from '../../platform/openapi/components'

export const meRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    security: OPTIONAL_USER_ACCESS,
    tags: ['Sessions'],
    summary: 'The current user and session; with no credentials, a new anonymous user and session',
    middleware: [userContext({ mode: 'anonymous-ok' })] as const,
    responses: {
      200: jsonContent(UserSessionSchema, 'The current user and session'),
      ...errorResponses(400, 401, 429),
    },
  }),
  async (c) => {
    const me = requireUser(c)
    // A session the middleware just created or rotated answers from its own view, without D1.
    const issued = c.var.issued
    const answer = issued
      ? toUserSession(issued.view)
      : await describeSession(c.var.rt, { ...me, issuedAt: c.var.tokenIssuedAt })
    return c.json({ ...answer, ...issuedTokens(c) }, 200)
  },
)
