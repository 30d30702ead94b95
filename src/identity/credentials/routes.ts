/** Email + password: register and confirm, log in, change password. */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { deliverDeviceCredential, deliverSession, issuedTokens } from '../../http/transport'
import { requireUser, userContext } from '../../session'
import type { AppEnv } from '../../http/app-env'
import { requestMeta } from '../../http/request-meta'
import { RefreshTokenField, sessionProof } from '../session-proof'
import { DeviceCredentialField, presentedDeviceCredential } from './device-proof'
import { createRouter } from '../../http/router'
import {
  EmailSchema,
  errorResponses,
  jsonBody,
  jsonContent,
  NewPasswordSchema,
  SignInSchema,
} from '../../platform/openapi/schemas'
import { toUserSession } from '../../platform/openapi/views'
import { changePassword, login } from './password-sign-in'
import { register, REGISTER_PATH } from '../registration/registration'
import { confirmRegistration, confirmRegistrationCode } from '../registration/confirmation'
import { isSecondFactorPending, type SignInAttempt, type SignInOutcome } from '../sign-in'
import { SecondFactorRequiredSchema, secondFactorAnswer } from '../factors/schemas'
import { OPTIONAL_USER_ACCESS, USER_ACCESS } from '../../platform/openapi/components'

const RegistrationSentSchema = z.object({ sent: z.literal(true) }).openapi('RegistrationSent', {
  description: 'A confirmation (or, for a proven account, a notice) went to the address',
})

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

/**
 * 200 with the session for a completed sign-in; 202 with a challenge (no session, no cookies,
 * nothing about the account) when the account's second factor must follow.
 */
export function answerSignIn(
  c: Context<AppEnv>,
  attempt: SignInAttempt,
  deviceCredential: string | null = null,
) {
  if (!isSecondFactorPending(attempt))
    return c.json(signInAnswer(c, attempt, deviceCredential), 200)
  c.header('Cache-Control', 'no-store')
  return c.json(secondFactorAnswer(attempt), 202)
}

/** The responses of a route that signs in with a first factor. */
export const firstFactorResponses = {
  200: jsonContent(SignInSchema, 'Signed in'),
  202: jsonContent(SecondFactorRequiredSchema, 'The account asks for its second factor'),
}

export const accountRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: REGISTER_PATH,
      operationId: 'register',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Ask for an account: mails a confirmation (link and code); the session stays anonymous and nothing exists until it is confirmed. The answer is the same for every email',
      description:
        'Needs the registering session (its cookie, or `refreshToken`): only there does the confirmation keep the password. When a proven account has the email, the mail says so instead and nothing changes.',
      request: { body: jsonBody(Credentials) },
      responses: {
        202: jsonContent(RegistrationSentSchema, 'Confirmation mailed'),
        ...errorResponses(400, 401, 403, 413, 429, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      await register(c.var.rt, body, sessionProof(c, body.refreshToken), requestMeta(c))
      return c.json({ sent: true as const }, 202)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${REGISTER_PATH}/confirm`,
      operationId: 'confirmRegistration',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Confirm a registration with its mailed link: creates the account, proven; from the session that registered, keeps its password and merges its data, elsewhere signs in without either',
      request: {
        body: jsonBody(
          z.object({ token: z.string().min(1).max(256), refreshToken: RefreshTokenField }),
        ),
      },
      responses: { ...firstFactorResponses, ...errorResponses(400, 413) },
    }),
    async (c) => {
      const { token, refreshToken } = c.req.valid('json')
      const from = sessionProof(c, refreshToken)
      const outcome = await confirmRegistration(c.var.rt, token, from, requestMeta(c))
      return answerSignIn(c, outcome)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${REGISTER_PATH}/code`,
      operationId: 'confirmRegistrationCode',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Confirm a registration with the code mailed beside its link, in the session that registered: keeps its password and merges its data',
      request: {
        body: jsonBody(
          z.object({
            email: EmailSchema,
            code: z.string().min(1).max(32),
            refreshToken: RefreshTokenField,
          }),
        ),
      },
      responses: { ...firstFactorResponses, ...errorResponses(400, 401, 413, 429) },
    }),
    async (c) => {
      const { email, code, refreshToken } = c.req.valid('json')
      const from = sessionProof(c, refreshToken)
      const outcome = await confirmRegistrationCode(c.var.rt, email, code, from, requestMeta(c))
      return answerSignIn(c, outcome)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/login',
      operationId: 'login',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Sign in with email and password; an account with a second factor answers 202 with a challenge',
      request: { body: jsonBody(LoginCredentials) },
      responses: { ...firstFactorResponses, ...errorResponses(400, 401, 403, 413, 429) },
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
      return answerSignIn(c, outcome, outcome.deviceCredential)
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
