/** The signed-in account's identities at providers: list, link another, unlink. */
import { createRoute, z } from '@hono/zod-openapi'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { requireUser, userContext } from '../../session'
import { errorResponses, jsonBody, jsonContent } from '../../platform/openapi/schemas'
import { USER_ACCESS } from '../../platform/openapi/components'
import { exchangeLinkHandoff, startProviderFlow } from './flow'
import { identitiesOf, unlinkOwnIdentity } from './management'
import {
  HandoffFields,
  IdentityIdParam,
  IdentitySchema,
  ProviderIdParam,
  StartBody,
  StartSchema,
} from './schemas'

const TAGS = ['Providers']

export const identityRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/identities',
      operationId: 'listIdentities',
      security: USER_ACCESS,
      tags: TAGS,
      summary: "This account's identities at sign-in providers, newest first",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: {
        200: jsonContent(z.object({ identities: z.array(IdentitySchema) }), 'The identities'),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json({ identities: await identitiesOf(c.var.rt, requireUser(c).id) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/identities/{id}/start',
      operationId: 'startLinkingIdentity',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Link a provider to this account (a sign-in within 5 minutes): the authorization URL; the callback links and goes to redirectTo?linked=<provider>, or ?error=identity_taken when another account has the identity',
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: { params: ProviderIdParam, body: jsonBody(StartBody) },
      responses: {
        200: jsonContent(StartSchema, 'Where to send the browser'),
        ...errorResponses(400, 401, 403, 404, 413, 429, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const caller = requireUser(c)
      const url = await startProviderFlow(
        c.var.rt,
        caller,
        c.req.valid('param').id,
        body,
        'link',
        requestMeta(c),
      )
      return c.json({ authorizationUrl: url.toString() }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/identities/exchange',
      operationId: 'finishLinkingIdentity',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        "Token clients: finish a link with the callback's one-time code (redirectTo?link_code=…) and the PKCE verifier of the start's codeChallenge, as the account that started it; nothing is linked before",
      middleware: [userContext({ mode: 'required' })] as const,
      request: { body: jsonBody(z.object(HandoffFields)) },
      responses: {
        200: jsonContent(z.object({ linked: z.string() }), "The linked provider's id"),
        ...errorResponses(400, 401, 409, 413, 429),
      },
    }),
    async (c) => {
      const caller = requireUser(c)
      const body = c.req.valid('json')
      const linked = await exchangeLinkHandoff(c.var.rt, caller, body, requestMeta(c))
      return c.json({ linked }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/me/identities/{identityId}',
      operationId: 'unlinkIdentity',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Unlink an identity (a sign-in within 5 minutes); never the last way in: 409 last_sign_in_method without a password, a proven email, a passkey or another identity',
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: { params: IdentityIdParam },
      responses: { 204: { description: 'Unlinked' }, ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { identityId } = c.req.valid('param')
      await unlinkOwnIdentity(c.var.rt, requireUser(c), identityId, requestMeta(c))
      return c.body(null, 204)
    },
  )
