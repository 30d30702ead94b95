/** `POST /v1/auth/logout-all`: end every session of this user, and their sign-in links. */
import { createRoute } from '@hono/zod-openapi'
import { clearSessionCookies } from '../http/transport'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { cookiesCleared, errorResponses } from '../platform/openapi/schemas'
import { USER_ACCESS } from '../platform/openapi/components'
import { requireUser, userContext } from '../session'
import { revokeAllSessions } from './sign-out'

export const signOutRoutes = createRouter().openapi(
  createRoute({
    method: 'post',
    path: '/v1/auth/logout-all',
    operationId: 'logoutAll',
    security: USER_ACCESS,
    tags: ['Sessions'],
    summary: 'End every session of this user',
    middleware: [userContext({ mode: 'required' })] as const,
    responses: {
      204: cookiesCleared('Logged out everywhere'),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const me = requireUser(c)
    await revokeAllSessions(c.var.rt, me.id, requestMeta(c), me.sessionId)
    clearSessionCookies(c)
    return c.body(null, 204)
  },
)
