/**
 * Sign-in with a provider: the list of what is offered, the flow's start and callback, and the
 * token clients' exchange of a handoff code. The flow itself is flow.ts.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { deliverSession, issuedTokens } from '../../http/transport'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { requireUser, userContext } from '../../session'
import { errorResponses, jsonBody, jsonContent } from '../../platform/openapi/schemas'
import { OPTIONAL_USER_ACCESS, PUBLIC_ACCESS } from '../../platform/openapi/components'
import { RefreshTokenField, sessionProof } from '../session-proof'
import { answerSignIn, firstFactorResponses } from '../credentials/routes'
import { exchangeHandoff, finishProviderCallback, startProviderFlow } from './flow'
import { signInMethods } from './protocols/methods'
import { HandoffFields, ProviderIdParam, StartBody, StartSchema } from './schemas'

const TAGS = ['Providers']

const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
})

export const providerRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/providers',
      operationId: 'listSignInMethods',
      security: PUBLIC_ACCESS,
      tags: TAGS,
      summary:
        'The ways to sign in this deployment offers: methods, and providers whose settings are complete',
      responses: {
        200: jsonContent(
          z.object({
            methods: z.array(z.enum(['magic-link', 'password', 'passkey'])),
            providers: z.array(z.object({ id: z.string(), name: z.string() })),
          }),
          'The sign-in methods and providers',
        ),
      },
    }),
    (c) => c.json(signInMethods(c.var.rt.settings), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/providers/{id}/start',
      operationId: 'startProviderSignIn',
      security: OPTIONAL_USER_ACCESS,
      tags: TAGS,
      summary:
        'Start a sign-in with a provider: the authorization URL to send the browser to; the flow is kept by this session (one started if none). With codeChallenge (token clients) the callback hands back a one-time code for /v1/auth/providers/exchange',
      middleware: [userContext({ mode: 'anonymous-ok' })] as const,
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
        'sign-in',
        requestMeta(c),
      )
      return c.json({ authorizationUrl: url.toString(), ...issuedTokens(c) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/providers/{id}/callback',
      operationId: 'providerCallback',
      security: PUBLIC_ACCESS,
      tags: TAGS,
      summary:
        "The provider's redirect back (register this address at the provider). A browser must carry the session that started (else redirectTo?error=provider_session_mismatch); it signs in, merging an anonymous session once, and goes to redirectTo. A token client goes to redirectTo?code=<handoff>. Provider errors go to redirectTo?error=<code>",
      description:
        'A state that names no pending flow (forged, used, expired) has no trustworthy redirectTo, so it is answered here: 400 invalid_oauth_state.',
      request: { params: ProviderIdParam, query: CallbackQuery },
      responses: {
        302: {
          description:
            'To redirectTo, with ?code= (token clients), ?error=, ?linked= or ?second_factor=<challenge> (an account with a second factor: answer it at /v1/auth/second-factor from this browser)',
        },
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const params = new URL(c.req.url).searchParams
      const outcome = await finishProviderCallback(
        c.var.rt,
        c.req.valid('param').id,
        params,
        sessionProof(c, undefined),
        requestMeta(c),
      )
      if (outcome.signedIn) deliverSession(c, outcome.signedIn.issued)
      return c.redirect(outcome.location, 302)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/providers/{id}/callback',
      operationId: 'providerFormPostCallback',
      security: PUBLIC_ACCESS,
      tags: TAGS,
      summary:
        "A provider's form_post callback (Apple): answered with a redirect to the GET callback, which a browser follows with its SameSite=Lax session cookie (a cross-site POST carries none)",
      request: { params: ProviderIdParam },
      responses: { 303: { description: 'To the GET callback' }, ...errorResponses(400, 404, 413) },
    }),
    async (c) => {
      const form = await c.req.parseBody()
      const query = new URLSearchParams()
      for (const [name, value] of Object.entries(form))
        if (typeof value === 'string') query.set(name, value)
      const { id } = c.req.valid('param')
      return c.redirect(`/v1/auth/providers/${id}/callback?${query}`, 303)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/providers/exchange',
      operationId: 'exchangeProviderCode',
      security: OPTIONAL_USER_ACCESS,
      tags: TAGS,
      summary:
        "Token clients: trade the callback's one-time code and the PKCE verifier of the start's codeChallenge for a sign-in; refreshToken proving the starting session merges it, else a new session starts beside it",
      request: {
        body: jsonBody(z.object({ ...HandoffFields, refreshToken: RefreshTokenField })),
      },
      responses: { ...firstFactorResponses, ...errorResponses(400, 401, 409, 413, 429) },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const outcome = await exchangeHandoff(
        c.var.rt,
        body,
        sessionProof(c, body.refreshToken),
        requestMeta(c),
      )
      return answerSignIn(c, outcome)
    },
  )
