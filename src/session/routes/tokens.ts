/**
 * Token endpoints: refresh (rotation), token-info (the no-I/O fast path), the access token handed
 * to a cookie session's own page (for the app's other APIs), logout.
 */
import { createRoute, z } from '@hono/zod-openapi'
import {
  clearSessionCookies,
  deliverSession,
  issuedTokens,
  readBearerToken,
  readCredentialCookies,
  wantsTokenTransport,
} from '../../http/transport'
import {
  endsCookieSession,
  requireUser,
  userContext,
  verifiedClaims,
  verifyAccessTokenAtEdge,
} from '../user-context'
import { invalidRequest, unauthorized } from '../../platform/errors'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import {
  cookiesCleared,
  errorResponses,
  jsonContent,
  UserSessionSchema,
} from '../../platform/openapi/schemas'
import { toUserSession } from '../../platform/openapi/views'
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

const AccessTokenSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
  })
  .openapi('AccessToken')

// An access cookie this close to its expiry is not handed out: the caller would have to come
// back at once. Refreshing instead gives it a full lifetime.
const HANDOUT_MIN_SECONDS = 30

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
      path: '/v1/auth/token',
      operationId: 'getAccessToken',
      security: [{ sessionCookie: [] }],
      tags: ['Sessions'],
      summary: "A cookie session's access token, for the app's own APIs (Bearer)",
      description:
        'Cookie transport keeps both tokens HttpOnly; a page that calls another API of its own ' +
        'with `Authorization: Bearer` asks here. The answer is the current access cookie while it ' +
        'has 30 s or more left, else a refreshed one (new cookies too). Only the short-lived ' +
        'access token reaches script, never the refresh token. A POST, so the origin check ' +
        'applies: only the service itself and `ALLOWED_ORIGINS` get one. Token transport holds ' +
        'its token already: 400.',
      responses: {
        200: jsonContent(AccessTokenSchema, 'The access token and its remaining lifetime'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      if (wantsTokenTransport(c))
        throw invalidRequest('Token transport already holds its access token; use it as it is.')
      c.header('Cache-Control', 'no-store')
      const { access, session } = readCredentialCookies(c)
      if (access) {
        const verified = await verifyAccessTokenAtEdge(c.var.rt, access)
        const left = verified.ok ? verified.claims.exp - Math.floor(Date.now() / 1000) : 0
        if (left >= HANDOUT_MIN_SECONDS)
          return c.json({ accessToken: access, tokenType: 'Bearer' as const, expiresIn: left }, 200)
      }
      if (!session)
        throw unauthorized(CODE.invalid_refresh_token, 'No session cookie was presented.')
      const issued = await refreshSession(c.var.rt, session, requestMeta(c)).catch(
        (error: unknown) => {
          if (endsCookieSession(error)) clearSessionCookies(c)
          throw error
        },
      )
      deliverSession(c, issued)
      const { accessToken, expiresIn } = issued
      return c.json({ accessToken, tokenType: 'Bearer' as const, expiresIn }, 200)
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
