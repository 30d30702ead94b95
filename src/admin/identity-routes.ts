/** The admin API's view of a user's provider identities, and their removal (a support case). */
import { z } from '@hono/zod-openapi'
import { requestMeta } from '../http/request-meta'
import { createRouter } from '../http/router'
import { adminRoute } from './admin-route'
import { ID_PATTERNS } from '../platform/ids'
import { errorResponses, jsonContent } from '../platform/openapi/schemas'
import { identitiesOf, removeIdentityAsAdmin } from '../identity'
import { IdentitySchema } from '../identity/schemas'

const AccountIdParam = z.object({
  id: z.string().regex(ID_PATTERNS.usr, 'must be an account id (usr_…)'),
})

export const adminIdentityRoutes = createRouter()
  .openapi(
    adminRoute({
      method: 'get',
      path: '/v1/admin/users/{id}/identities',
      operationId: 'listUserIdentities',
      summary: "An account's identities at sign-in providers, newest first",
      request: { params: AccountIdParam },
      responses: {
        200: jsonContent(z.object({ identities: z.array(IdentitySchema) }), 'The identities'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json({ identities: await identitiesOf(c.var.rt, c.req.valid('param').id) }, 200),
  )
  .openapi(
    adminRoute({
      method: 'delete',
      path: '/v1/admin/users/{id}/identities/{identityId}',
      operationId: 'removeUserIdentity',
      summary:
        "Remove one of an account's identities, even its last (the owner proved who they are to support)",
      request: {
        params: AccountIdParam.extend({
          identityId: z.string().regex(ID_PATTERNS.idn, 'must be an identity id (idn_…)'),
        }),
      },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, identityId } = c.req.valid('param')
      await removeIdentityAsAdmin(c.var.rt, id, identityId, requestMeta(c))
      return c.body(null, 204)
    },
  )
