/** The admin API's view of a user's passkeys, and their removal (a support case: a lost device). */
import { z } from '@hono/zod-openapi'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { adminRoute } from './admin-route'
import { ID_PATTERNS } from '../platform/ids'
import { errorResponses, jsonContent } from '../platform/openapi/schemas'
import { passkeysOf, removePasskeyAsAdmin } from '../identity'
import { PasskeySchema } from '../identity/schemas'

const AccountIdParam = z.object({
  id: z.string().regex(ID_PATTERNS.usr, 'must be an account id (usr_…)'),
})

export const adminPasskeyRoutes = createRouter()
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/users/{id}/passkeys',
      operationId: 'listUserPasskeys',
      summary: "An account's passkeys, newest first",
      request: { params: AccountIdParam },
      responses: {
        200: jsonContent(z.object({ passkeys: z.array(PasskeySchema) }), 'The passkeys'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json({ passkeys: await passkeysOf(c.var.rt, c.req.valid('param').id) }, 200),
  )
  .openapi(
    adminRoute({
      method: 'delete',
      path: '/v1/admin/users/{id}/passkeys/{passkeyId}',
      operationId: 'removeUserPasskey',
      summary:
        "Remove one of an account's passkeys, even its last (the owner proved who they are to support)",
      request: {
        params: AccountIdParam.extend({
          passkeyId: z.string().regex(ID_PATTERNS.pk, 'must be a passkey id (pk_…)'),
        }),
      },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, passkeyId } = c.req.valid('param')
      await removePasskeyAsAdmin(c.var.rt, id, passkeyId, requestMeta(c))
      return c.body(null, 204)
    },
  )
