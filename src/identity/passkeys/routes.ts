/**
 * Passkey routes: sign up with a passkey alone and sign in with one (each an options + verify
 * pair, both from the same session), and the account's own passkeys under /v1/me/passkeys.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { issuedTokens } from '../../http/transport'
import { requireUser, userContext } from '../../session'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { errorResponses, jsonBody, jsonContent, SignInSchema } from '../../platform/openapi/schemas'
import { OPTIONAL_USER_ACCESS, USER_ACCESS } from '../../platform/openapi/components'
import { sessionProof } from '../session-proof'
import { signInAnswer } from '../credentials/routes'
import {
  finishAdding,
  finishSignIn,
  finishSignUp,
  startAdding,
  startSignIn,
  startSignUp,
} from './service'
import { passkeysOf, removeOwnPasskey, renameOwnPasskey, toPasskeyView } from './management'
import {
  asAuthentication,
  asRegistration,
  AuthenticationBody,
  OptionsSchema,
  PasskeyIdParam,
  PasskeyNameSchema,
  PasskeySchema,
  RegistrationBody,
  SignUpSchema,
} from './schemas'

const TAGS = ['Passkeys']

export const passkeyRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/passkeys/sign-up/options',
      operationId: 'passkeySignUpOptions',
      security: OPTIONAL_USER_ACCESS,
      tags: TAGS,
      summary:
        'Options to create an account with a passkey alone; the challenge is kept by this session (one started if none)',
      // Asking for options starts a session when there is none: the challenge needs one to live in.
      middleware: [userContext({ mode: 'anonymous-ok' })] as const,
      responses: {
        200: jsonContent(OptionsSchema, 'PublicKeyCredentialCreationOptionsJSON'),
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const options = await startSignUp(c.var.rt, requireUser(c))
      return c.json({ options, ...issuedTokens(c) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/passkeys/sign-up/verify',
      operationId: 'passkeySignUp',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Create the account (not anonymous, no email) with the passkey and sign in; an anonymous session proven by its refresh credential merges into it',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { body: jsonBody(RegistrationBody) },
      responses: {
        201: jsonContent(SignUpSchema, 'The new account, signed in'),
        ...errorResponses(400, 401, 403, 409, 413),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const from = sessionProof(c, body.refreshToken)
      const outcome = await finishSignUp(
        c.var.rt,
        requireUser(c),
        from,
        asRegistration(body.response),
        body.name,
        requestMeta(c),
      )
      return c.json({ ...signInAnswer(c, outcome), passkey: toPasskeyView(outcome.passkey) }, 201)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/passkeys/sign-in/options',
      operationId: 'passkeySignInOptions',
      security: OPTIONAL_USER_ACCESS,
      tags: TAGS,
      summary:
        'Options to sign in with any passkey (discoverable credentials, autofill); the challenge is kept by this session (one started if none)',
      // Asking for options starts a session when there is none: the challenge needs one to live in.
      middleware: [userContext({ mode: 'anonymous-ok' })] as const,
      responses: {
        200: jsonContent(OptionsSchema, 'PublicKeyCredentialRequestOptionsJSON'),
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const options = await startSignIn(c.var.rt, requireUser(c))
      return c.json({ options, ...issuedTokens(c) }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/passkeys/sign-in/verify',
      operationId: 'passkeySignIn',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Sign in with a passkey; an anonymous session proven by its refresh credential merges into the account',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { body: jsonBody(AuthenticationBody) },
      responses: {
        200: jsonContent(SignInSchema, 'Signed in'),
        ...errorResponses(400, 401, 403, 413),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const outcome = await finishSignIn(
        c.var.rt,
        requireUser(c),
        sessionProof(c, body.refreshToken),
        asAuthentication(body.response),
        requestMeta(c),
      )
      return c.json(signInAnswer(c, outcome), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/passkeys',
      operationId: 'listPasskeys',
      security: USER_ACCESS,
      tags: TAGS,
      summary: "This account's passkeys, newest first",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: {
        200: jsonContent(z.object({ passkeys: z.array(PasskeySchema) }), 'The passkeys'),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json({ passkeys: await passkeysOf(c.var.rt, requireUser(c).id) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/passkeys/options',
      operationId: 'addPasskeyOptions',
      security: USER_ACCESS,
      tags: TAGS,
      summary: 'Options to add a passkey to this account (a sign-in within 5 minutes)',
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      responses: {
        200: jsonContent(OptionsSchema, 'PublicKeyCredentialCreationOptionsJSON'),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ options: await startAdding(c.var.rt, requireUser(c)) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/passkeys',
      operationId: 'addPasskey',
      security: USER_ACCESS,
      tags: TAGS,
      summary: 'Add the passkey to this account (a sign-in within 5 minutes)',
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: { body: jsonBody(RegistrationBody.omit({ refreshToken: true })) },
      responses: {
        201: jsonContent(z.object({ passkey: PasskeySchema }), 'Added'),
        ...errorResponses(400, 401, 403, 409, 413),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const row = await finishAdding(
        c.var.rt,
        requireUser(c),
        asRegistration(body.response),
        body.name,
        requestMeta(c),
      )
      return c.json({ passkey: toPasskeyView(row) }, 201)
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/v1/me/passkeys/{id}',
      operationId: 'renamePasskey',
      security: USER_ACCESS,
      tags: TAGS,
      summary: 'Rename a passkey',
      middleware: [userContext({ mode: 'required' })] as const,
      request: { params: PasskeyIdParam, body: jsonBody(z.object({ name: PasskeyNameSchema })) },
      responses: {
        200: jsonContent(z.object({ passkey: PasskeySchema }), 'Renamed'),
        ...errorResponses(400, 401, 404, 413),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { name } = c.req.valid('json')
      const passkey = await renameOwnPasskey(c.var.rt, requireUser(c), id, name, requestMeta(c))
      return c.json({ passkey }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/v1/me/passkeys/{id}',
      operationId: 'removePasskey',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Remove a passkey (a sign-in within 5 minutes); never the last way in: 409 without a password, a proven email or another passkey',
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: { params: PasskeyIdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      await removeOwnPasskey(c.var.rt, requireUser(c), c.req.valid('param').id, requestMeta(c))
      return c.body(null, 204)
    },
  )
