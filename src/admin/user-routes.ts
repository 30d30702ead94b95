/** The admin API's user routes beyond erasure: list and search, show one, set a role, end sessions. */
import { z } from '@hono/zod-openapi'
import type { UserRow } from '../platform/db/users'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { adminRoute } from './admin-route'
import { USER_ID_PATTERN } from '../platform/ids'
import { errorResponses, jsonContent, SessionSchema, UserSchema } from '../platform/openapi/schemas'
import { toSession, toUser } from '../platform/openapi/views'
import { listUsers, revokeUserSessions, ROLES, setUserRole, showUser } from './users'

const UserIdParam = z.object({
  id: z.string().regex(USER_ID_PATTERN, 'must be a user id (anon_… or usr_…)'),
})

const AdminUserSchema = UserSchema.extend({
  lastSeenAt: z.iso.datetime(),
  /** Set once an anonymous user has been merged into this account. */
  mergedInto: z.string().nullable(),
}).openapi('AdminUser')

const toAdminUser = (row: UserRow) => ({
  ...toUser(row),
  lastSeenAt: new Date(row.lastSeenAt).toISOString(),
  mergedInto: row.mergedInto,
})

/** Who acted, for the audit log: the admin's session, or nobody for the ADMIN_TOKEN. */
const actor = (user: { id: string; sessionId: string } | null) => ({
  userId: user?.id ?? null,
  sessionId: user?.sessionId ?? null,
})

export const adminUserRoutes = createRouter()
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/users',
      operationId: 'listUsers',
      summary: 'Users newest first; `query` matches part of an email or a whole id',
      request: {
        query: z.object({
          query: z.string().max(254).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
      },
      responses: {
        200: jsonContent(
          z.object({ users: z.array(AdminUserSchema), nextCursor: z.string().nullable() }),
          'A page of users',
        ),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = await listUsers(c.var.rt, c.req.valid('query'))
      return c.json({ users: page.users.map(toAdminUser), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/users/{id}',
      operationId: 'getUser',
      summary: 'One user with their live sessions',
      request: { params: UserIdParam },
      responses: {
        200: jsonContent(
          z.object({ user: AdminUserSchema, sessions: z.array(SessionSchema) }),
          'The user',
        ),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { user, sessions } = await showUser(c.var.rt, c.req.valid('param').id)
      return c.json(
        { user: toAdminUser(user), sessions: sessions.map((s) => toSession(s, null)) },
        200,
      )
    },
  )
  .openapi(
    adminRoute({
      method: 'put',
      path: '/v1/admin/users/{id}/role',
      operationId: 'setUserRole',
      summary: "Set an account's role; its sessions end, so no token keeps the old role",
      request: {
        params: UserIdParam,
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ role: z.enum(ROLES) }) } },
        },
      },
      responses: {
        200: jsonContent(
          z.object({ user: AdminUserSchema, sessionsRevoked: z.number().int() }),
          'The role is set',
        ),
        ...errorResponses(400, 401, 403, 404, 413),
      },
    }),
    async (c) => {
      const { user, sessionsRevoked } = await setUserRole(
        c.var.rt,
        c.req.valid('param').id,
        c.req.valid('json').role,
        actor(c.var.user),
        requestMeta(c),
      )
      return c.json({ user: toAdminUser(user), sessionsRevoked }, 200)
    },
  )
  .openapi(
    adminRoute({
      method: 'post',
      path: '/v1/admin/users/{id}/revoke-sessions',
      operationId: 'revokeUserSessions',
      summary: 'End every live session of a user',
      request: { params: UserIdParam },
      responses: {
        200: jsonContent(z.object({ revoked: z.number().int() }), 'How many sessions ended'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const revoked = await revokeUserSessions(
        c.var.rt,
        c.req.valid('param').id,
        actor(c.var.user),
        requestMeta(c),
      )
      return c.json({ revoked }, 200)
    },
  )
