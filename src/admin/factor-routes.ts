/** The admin API's view of a user's second factor, and its removal (a support case: a lost phone). */
import { z } from '@hono/zod-openapi'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { adminRoute } from './admin-route'
import { ID_PATTERNS } from '../platform/ids'
import { errorResponses, jsonContent } from '../platform/openapi/schemas'
import { factorsOf, removeFactorsAsAdmin } from '../identity'
import { FactorsSchema } from '../identity/schemas'

const AccountIdParam = z.object({
  id: z.string().regex(ID_PATTERNS.usr, 'must be an account id (usr_…)'),
})

export const adminFactorRoutes = createRouter()
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/users/{id}/factors',
      operationId: 'listUserFactors',
      summary: "An account's second factor (never its secret) and its recovery codes left",
      request: { params: AccountIdParam },
      responses: {
        200: jsonContent(FactorsSchema, 'The factors'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await factorsOf(c.var.rt, c.req.valid('param').id), 200),
  )
  .openapi(
    adminRoute({
      method: 'delete',
      path: '/v1/admin/users/{id}/factors',
      operationId: 'removeUserFactors',
      summary:
        "Remove an account's authenticator app and recovery codes (the owner proved who they are to support)",
      request: { params: AccountIdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      await removeFactorsAsAdmin(c.var.rt, c.req.valid('param').id, requestMeta(c))
      return c.body(null, 204)
    },
  )
