/** Email + password: register, log in, change password. */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { deliverDeviceCredential, deliverSession, issuedTokens } from '../http/transport'
import { requireUser, userContext } from '../session'
import type { AppEnv } from '../http/app-env'
import { requestMeta } from '../http/request-meta'
import { RefreshTokenField, sessionProof } from './session-proof'
import { DeviceCredentialField, presentedDeviceCredential } from './device-proof'
import { createRouter } from '../http/router'
import {
  EmailSchema,
  errorResponses,
  jsonBody,
  jsonContent,
  NewPasswordSchema,
  SignInSchema,
  toUserSession,
} from '../platform/openapi/schemas'
import { changePassword, login, register } from './credentials'
import type { SignInOutcome } from './sign-in'
import { OPTIONAL_USER_ACCESS, USER_ACCESS } from '../platform/openapi/components'

const Credentials = z.object({
  email: EmailSchema,
  password: NewPasswordSchema,
  refreshToken: RefreshTokenField,
})
// Logging in checks the stored hash, so any length up to the cap is worth trying.
const LoginCredentials = z.object({
  email: EmailSchema,
  password: z.string().min(1).max(256, 'must be at most 256 characters'),
  refreshToken: RefreshTokenField,
  deviceCredential: DeviceCredentialField,
})

/**
 * `{user, session, merge}` (+ tokens, + deviceCredential) for a completed sign-in; the session and
 * any device credential go out as cookies, or in the body for token transport.
 */
export function signInAnswer(
  c: Context<AppEnv>,
  outcome: SignInOutcome,
  deviceCredential: string | null = null,
) {
  deliverSession(c, outcome.issued)
  return {
    ...toUserSession(outcome.issued.view),
    merge: outcome.merge,
    ...issuedTokens(c),
    ...(deviceCredential ? deliverDeviceCredential(c, deviceCredential) : {}),
  }
}

export const accountRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/register',
      operationId: 'register',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Create an account and mail a link confirming its email; from an anonymous session proven by its refresh credential, its data merges into it',
      request: { body: jsonBody(Credentials) },
      responses: {
        201: jsonContent(SignInSchema, 'The new account, signed in'),
        ...errorResponses(400, 403, 409, 413, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const from = sessionProof(c, body.refreshToken)
      const outcome = await register(c.var.rt, body, from, requestMeta(c))
      return c.json(signInAnswer(c, outcome), 201)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/login',
      operationId: 'login',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary: 'Sign in with email and password',
      request: { body: jsonBody(LoginCredentials) },
      responses: {
        200: jsonContent(SignInSchema, 'Signed in'),
        ...errorResponses(400, 401, 403, 413, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const outcome = await login(
        c.var.rt,
        body,
        sessionProof(c, body.refreshToken),
        requestMeta(c),
        presentedDeviceCredential(c, body.deviceCredential),
      )
      return c.json(signInAnswer(c, outcome, outcome.deviceCredential), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/password',
      operationId: 'changePassword',
      security: USER_ACCESS,
      tags: ['Accounts'],
      summary:
        "Set or change this account's password (the current one, or a sign-in within 5 minutes); its other sessions end",
      middleware: [userContext({ mode: 'required', fresh: true })] as const,
      request: {
        body: jsonBody(
          z.object({
            currentPassword: z.string().max(256).optional(),
            newPassword: NewPasswordSchema,
          }),
        ),
      },
      responses: { 204: { description: 'Changed' }, ...errorResponses(400, 401, 403, 413) },
    }),
    async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json')
      await changePassword(c.var.rt, requireUser(c), currentPassword, newPassword, requestMeta(c))
      return c.body(null, 204)
    },
  )
