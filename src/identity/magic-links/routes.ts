/**
 * Sign-in links: request one, the page it opens (registrations' confirmations use it too), what
 * it is for, using it, and its code.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { randomBytes, toBase64Url } from '../../platform/encoding'
import { requestMeta } from '../../http/request-meta'
import { createRouter } from '../../http/router'
import { RefreshTokenField, sessionProof } from '../session-proof'
import { DeviceCredentialField, presentedDeviceCredential } from '../credentials/device-proof'
import { renewDeviceCredential } from '../credentials/device-credentials'
import { EmailSchema, errorResponses, jsonBody, jsonContent } from '../../platform/openapi/schemas'
import {
  MAGIC_LINK_PATH,
  previewMagicLink,
  requestMagicLink,
  verifyLinkCode,
  verifyMagicLink,
} from './magic-links'
import { unauthorized } from '../../platform/errors'
import { answerSignIn, firstFactorResponses } from '../credentials/routes'
import { isSecondFactorPending, type SignInAttempt } from '../sign-in'
import type { Context } from 'hono'
import type { AppEnv } from '../../http/app-env'
import { OPTIONAL_USER_ACCESS, PUBLIC_ACCESS } from '../../platform/openapi/components'
import { magicLinkPage, magicLinkPageCsp } from './page'
import { CODE } from '../../contract/error-codes'

const TokenBody = z.object({ token: z.string().min(1).max(256), refreshToken: RefreshTokenField })
const VerifyBody = TokenBody.extend({ deviceCredential: DeviceCredentialField })

/**
 * A link or its code proved the mailbox: the client gets (or renews) its device credential, once
 * signed in (not while the second factor is still to come).
 */
async function mailboxSignInAnswer(
  c: Context<AppEnv>,
  outcome: SignInAttempt,
  bodyCredential: string | undefined,
) {
  const { email } = outcome.account
  // A mailbox proof always names an email; only a passkey account has none.
  if (email === null || isSecondFactorPending(outcome)) return answerSignIn(c, outcome)
  const credential = await renewDeviceCredential(
    c.var.rt.keyring,
    email,
    presentedDeviceCredential(c, bodyCredential),
  )
  return answerSignIn(c, outcome, credential)
}

export const LinkPreviewSchema = z
  .object({
    purpose: z.enum(['sign_in', 'register']).openapi({
      description:
        "`register`: a registration's confirmation (POST it to /v1/auth/register/confirm)",
    }),
    email: z.string().openapi({ description: 'The account the link is for, masked' }),
    sameSession: z.boolean().openapi({
      description: 'True when this session asked for the link: only then does its data merge',
    }),
  })
  .openapi('LinkPreview')

export const magicLinkRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: MAGIC_LINK_PATH,
      operationId: 'requestMagicLink',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary: 'Email a sign-in link and code; the answer is the same for every email',
      request: {
        body: jsonBody(
          z.object({
            email: EmailSchema,
            refreshToken: RefreshTokenField,
            deviceCredential: DeviceCredentialField,
          }),
        ),
      },
      responses: {
        202: jsonContent(z.object({ sent: z.literal(true) }), 'Accepted'),
        ...errorResponses(400, 413, 429, 503),
      },
    }),
    async (c) => {
      const { email, refreshToken, deviceCredential } = c.req.valid('json')
      await requestMagicLink(
        c.var.rt,
        email,
        sessionProof(c, refreshToken),
        requestMeta(c),
        presentedDeviceCredential(c, deviceCredential),
      )
      return c.json({ sent: true as const }, 202)
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: MAGIC_LINK_PATH,
      operationId: 'showMagicLinkPage',
      security: PUBLIC_ACCESS,
      tags: ['Accounts'],
      summary:
        'The page a mailed link opens (token in the #fragment): names the account, a button uses it',
      responses: {
        200: { description: 'An HTML page', content: { 'text/html': { schema: z.string() } } },
        ...errorResponses(400),
      },
    }),
    (c) => {
      const nonce = toBase64Url(randomBytes(16))
      c.header('Content-Security-Policy', magicLinkPageCsp(nonce))
      c.header('Referrer-Policy', 'no-referrer')
      c.header('Cache-Control', 'no-store')
      return c.html(magicLinkPage(nonce), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${MAGIC_LINK_PATH}/preview`,
      operationId: 'previewMagicLink',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Which account a link is for and whether this session asked for it; consumes nothing',
      request: { body: jsonBody(TokenBody) },
      responses: {
        200: jsonContent(LinkPreviewSchema, 'The link'),
        ...errorResponses(400, 413),
      },
    }),
    async (c) => {
      const { token, refreshToken } = c.req.valid('json')
      const from = sessionProof(c, refreshToken)
      return c.json(await previewMagicLink(c.var.rt, token, from?.sessionId ?? null), 200)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${MAGIC_LINK_PATH}/verify`,
      operationId: 'verifyMagicLink',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        'Use a sign-in link; from the session that asked for it (proven by its refresh credential), its data merges',
      request: { body: jsonBody(VerifyBody) },
      responses: { ...firstFactorResponses, ...errorResponses(400, 413) },
    }),
    async (c) => {
      const { token, refreshToken, deviceCredential } = c.req.valid('json')
      const from = sessionProof(c, refreshToken)
      const outcome = await verifyMagicLink(c.var.rt, token, from, requestMeta(c))
      return mailboxSignInAnswer(c, outcome, deviceCredential)
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${MAGIC_LINK_PATH}/code`,
      operationId: 'verifyMagicLinkCode',
      security: OPTIONAL_USER_ACCESS,
      tags: ['Accounts'],
      summary:
        "Sign in with the code mailed beside a link, in the session that asked for it: that session's data merges",
      request: {
        body: jsonBody(
          z.object({
            email: EmailSchema,
            code: z.string().min(1).max(32),
            refreshToken: RefreshTokenField,
            deviceCredential: DeviceCredentialField,
          }),
        ),
      },
      responses: { ...firstFactorResponses, ...errorResponses(400, 401, 413, 429) },
    }),
    async (c) => {
      const { email, code, refreshToken, deviceCredential } = c.req.valid('json')
      const from = sessionProof(c, refreshToken)
      if (!from)
        throw unauthorized(
          CODE.session_required,
          'Type the code in the browser that asked for the link (its session cookie, or refreshToken).',
        )
      const outcome = await verifyLinkCode(c.var.rt, email, code, from, requestMeta(c))
      return mailboxSignInAnswer(c, outcome, deviceCredential)
    },
  )
