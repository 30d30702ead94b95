/** `GET`/`PATCH /v1/me/preferences`: the caller's preferences object, changed by merge patch. */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../../session'
import { createRouter } from '../../http/router'
import { errorResponses, jsonContent } from '../../platform/openapi/schemas'
import {
  PreferencesPatchSchema,
  PreferencesSchema,
  readPreferences,
  updatePreferences,
} from './service'
import { USER_ACCESS } from '../../platform/openapi/components'

const PreferencesAnswer = z.object({ preferences: PreferencesSchema })

export const preferenceRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/preferences',
      operationId: 'getPreferences',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: "This user's preferences",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: {
        200: jsonContent(PreferencesAnswer, 'The preferences, {} when none were set'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const me = requireUser(c)
      return c.json({ preferences: await readPreferences(c.var.rt.db, me.id) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/v1/me/preferences',
      operationId: 'patchPreferences',
      security: USER_ACCESS,
      tags: ['User data'],
      summary: 'Change preferences with a JSON merge patch (RFC 7396)',
      middleware: [userContext({ mode: 'required' })] as const,
      request: {
        body: {
          content: { 'application/json': { schema: PreferencesPatchSchema } },
          required: true,
        },
      },
      responses: {
        200: jsonContent(PreferencesAnswer, 'The preferences after the patch'),
        ...errorResponses(400, 401, 413),
      },
    }),
    async (c) => {
      const me = requireUser(c)
      const preferences = await updatePreferences(c.var.rt.db, me.id, c.req.valid('json'))
      return c.json({ preferences }, 200)
    },
  )
