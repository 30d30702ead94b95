/**
 * Second-factor routes: answering a sign-in's challenge (/v1/auth/second-factor), and the
 * account's own authenticator app and recovery codes under /v1/me/factors.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser, userContext } from '../../session'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { invalidRequest } from '../../platform/errors'
import { errorResponses, jsonBody, jsonContent, SignInSchema } from '../../platform/openapi/schemas'
import { OPTIONAL_USER_ACCESS, USER_ACCESS } from '../../platform/openapi/components'
import { RefreshTokenField, sessionProof } from '../session-proof'
import { signInAnswer } from '../credentials/routes'
import {
  confirmTotp,
  disableTotp,
  enrolTotp,
  factorsOf,
  regenerateRecoveryCodes,
  stepUpWithFactor,
} from './enrolment'
import { finishSecondFactor } from './sign-in'
import {
  factorProofOf,
  FactorProofFields,
  FactorsSchema,
  RecoveryCodesSchema,
  TotpEnrolmentSchema,
} from './schemas'

const TAGS = ['Second factor']
const ProofBody = z.object(FactorProofFields)

/** Exactly one of `code` and `recoveryCode`. */
function proofOf(body: z.infer<typeof ProofBody>) {
  const proof = factorProofOf(body)
  if (!proof) throw invalidRequest('body: send either code or recoveryCode')
  return proof
}

const signedIn = userContext({ mode: 'required', fresh: true })

export const factorRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/second-factor',
      operationId: 'verifySecondFactor',
      security: OPTIONAL_USER_ACCESS,
      tags: TAGS,
      summary:
        "Finish a sign-in that answered 202 secondFactorRequired: its challenge and a code from the authenticator app (or a recovery code). Signs in as the first factor would have, merging the session's data when that sign-in proved it",
      request: {
        body: jsonBody(
          ProofBody.extend({
            challenge: z.string().min(1).max(128),
            refreshToken: RefreshTokenField,
          }),
        ),
      },
      responses: {
        200: jsonContent(SignInSchema, 'Signed in'),
        ...errorResponses(400, 401, 413, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const from = sessionProof(c, body.refreshToken)
      const outcome = await finishSecondFactor(
        c.var.rt,
        body.challenge,
        proofOf(body),
        from,
        requestMeta(c),
      )
      return c.json(signInAnswer(c, outcome), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/factors',
      operationId: 'listFactors',
      security: USER_ACCESS,
      tags: TAGS,
      summary: "This account's second factor and how many recovery codes are left",
      middleware: [userContext({ mode: 'required' })] as const,
      responses: { 200: jsonContent(FactorsSchema, 'The factors'), ...errorResponses(401) },
    }),
    async (c) => c.json(await factorsOf(c.var.rt, requireUser(c).id), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/factors/totp',
      operationId: 'enrolTotp',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Start enrolling an authenticator app (a sign-in or factor within 5 minutes): its otpauth:// URI and QR code; confirm with a first code',
      middleware: [signedIn] as const,
      responses: {
        200: jsonContent(TotpEnrolmentSchema, 'Scan it, then confirm'),
        ...errorResponses(401, 403, 409),
      },
    }),
    async (c) => {
      c.header('Cache-Control', 'no-store')
      return c.json(await enrolTotp(c.var.rt, requireUser(c), requestMeta(c)), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/factors/totp/confirm',
      operationId: 'confirmTotp',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Confirm the authenticator app with its current code: sign-ins ask for it from now on. Answers ten recovery codes, shown once',
      middleware: [signedIn] as const,
      request: { body: jsonBody(z.object({ code: FactorProofFields.code.unwrap() })) },
      responses: {
        200: jsonContent(RecoveryCodesSchema, 'Confirmed'),
        ...errorResponses(400, 401, 403, 409, 413, 429),
      },
    }),
    async (c) => {
      const { code } = c.req.valid('json')
      const recoveryCodes = await confirmTotp(c.var.rt, requireUser(c), code, requestMeta(c))
      c.header('Cache-Control', 'no-store')
      return c.json({ recoveryCodes }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/factors/totp/disable',
      operationId: 'disableTotp',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Disable the authenticator app and its recovery codes: a sign-in or factor within 5 minutes AND a code',
      middleware: [signedIn] as const,
      request: { body: jsonBody(ProofBody) },
      responses: { 204: { description: 'Disabled' }, ...errorResponses(400, 401, 403, 409, 429) },
    }),
    async (c) => {
      await disableTotp(c.var.rt, requireUser(c), proofOf(c.req.valid('json')), requestMeta(c))
      return c.body(null, 204)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/factors/recovery-codes',
      operationId: 'regenerateRecoveryCodes',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Ten new recovery codes, shown once; the old ones stop working (a sign-in or factor within 5 minutes)',
      middleware: [signedIn] as const,
      responses: {
        200: jsonContent(RecoveryCodesSchema, 'The new codes'),
        ...errorResponses(401, 403, 409),
      },
    }),
    async (c) => {
      const recoveryCodes = await regenerateRecoveryCodes(c.var.rt, requireUser(c), requestMeta(c))
      c.header('Cache-Control', 'no-store')
      return c.json({ recoveryCodes }, 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/factors/verify',
      operationId: 'stepUpWithFactor',
      security: USER_ACCESS,
      tags: TAGS,
      summary:
        'Step up: a code accepted now counts as a recent sign-in for 5 minutes (password, passkeys, factors)',
      middleware: [signedIn] as const,
      request: { body: jsonBody(ProofBody) },
      responses: { 204: { description: 'Verified' }, ...errorResponses(400, 401, 403, 409, 429) },
    }),
    async (c) => {
      await stepUpWithFactor(c.var.rt, requireUser(c), proofOf(c.req.valid('json')), requestMeta(c))
      return c.body(null, 204)
    },
  )
