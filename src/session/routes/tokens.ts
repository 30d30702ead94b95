/** Token endpoints: refresh (rotation), token-info (the no-I/O fast path), logout. */
import { createRoute, z } from '@hono/zod-openapi'
import {
  clearSessionCookies,
  deliverSession,
  issuedTokens,
  readBearerToken,
  readCredentialCookies,
} from '../../http/transport'
import { endsCookieSession, requireUser, userContext, verifiedClaims } from '../user-context'
import { unauthorized } from '../../platform/errors'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import {
  cookiesCleared,
  errorResponses,
  jsonContent,
  toUserSession,
  UserSessionSchema,
} from '../../platform/openapi/schemas'
import { refreshSession, revokeSession } from '../lifecycle'
import { REFRESH_ACCESS, USER_ACCESS } from '../../platform/openapi/components'
import { CODE } from '../../contract/error-codes'

const RefreshBody = z.object({ refreshToken: z.string().min(1).max(512).optional() })

const TokenInfoSchema = z
  .object({
    sub: z.string(),
    sid: z.string(),
    anon: z.boolean(),
    role: z.string(),
    iat: z.number().int(),
    exp: z.number().int(),
  })
  .openapi('TokenInfo')

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/refresh',
      operationId: 'refreshSession',
      security: REFRESH_ACCESS,
      tags: ['Sessions'],
      summary: 'Rotate the refresh token (session cookie, or `refreshToken` in the body)',
      request: {
        body: { content: { 'application/json': { schema: RefreshBody } }, required: false },
      },
      responses: {
        200: jsonContent(UserSessionSchema, 'The rotated session'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const presented = c.req.valid('json').refreshToken ?? readCredentialCookies(c).session
      if (!presented)
        throw unauthorized(CODE.invalid_refresh_token, 'No refresh token was presented.')
      const { rt } = c.var
      const issued = await refreshSession(rt, presented, requestMeta(c)).catch((error: unknown) => {
        const fromCookie = !c.req.valid('json').refreshToken
        if (fromCookie && endsCookieSession(error)) clearSessionCookies(c)
        throw error
      })
      deliverSession(c, issued)
      return c.json({ ...toUserSession(issued.view), ...issuedTokens(c) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/token-info',
      operationId: 'getTokenInfo',
      security: USER_ACCESS,
      tags: ['Sessions'],
      summary: 'Verify the presented access token; no storage I/O',
      responses: {
        200: jsonContent(TokenInfoSchema, 'The verified claims'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const bearer = readBearerToken(c)
      const token = bearer === undefined ? readCredentialCookies(c).access : bearer
      if (!token)
        throw unauthorized(
          CODE.invalid_token,
          'Present an access token as a Bearer token or the access cookie.',
        )
      const { sub, sid, anon, role, iat, exp } = await verifiedClaims(c, token)
      return c.json({ sub, sid, anon, role, iat, exp }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/logout',
      operationId: 'logout',
      security: USER_ACCESS,
      tags: ['Sessions'],
      summary: 'End the current session',
      middleware: [userContext({ mode: 'required' })] as const,
      responses: { 204: cookiesCleared('Logged out'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const me = requireUser(c)
      await revokeSession(c.var.rt, me.id, me.sessionId, 'logout', requestMeta(c))
      clearSessionCookies(c)
      return c.body(null, 204)
    },
  )
