/**
 * Zod schemas of the contract's shapes. The same schemas validate requests and produce the OpenAPI
 * document, so nothing is described twice.
 */
import { z } from '@hono/zod-openapi'
import { CODE, ERROR_CODE_LIST } from '../../contract/error-codes'
import { errorResponseRef, type ErrorStatus } from './components'

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODE_LIST),
      message: z.string(),
      /** 400 `invalid_request` only: each failing field and what is wrong with it. */
      fields: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ example: [{ path: 'body.email', message: 'must be an email address' }] }),
    }),
  })
  .openapi('Error')

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: 'anon_01hx3d6q5k4m2n8p9r7s6t5v4w' }),
    email: z.string().nullable(),
    isAnonymous: z.boolean(),
    role: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('User')

export const SessionSchema = z
  .object({
    id: z.string(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session')

export const TokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
  })
  .openapi('Tokens')

export const UserSessionSchema = z
  .object({ user: UserSchema, session: SessionSchema, tokens: TokensSchema.optional() })
  .openapi('UserSession')

export const MergeSchema = z
  .object({
    from: z.string(),
    into: z.string(),
    moved: z.object({
      documents: z.number().int(),
      preferences: z.number().int(),
      secrets: z.number().int(),
      oauth: z.number().int(),
    }),
    conflicts: z.array(z.object({ kind: z.string(), key: z.string() })),
    skipped: z
      .literal(CODE.quota_exceeded)
      .optional()
      .openapi({
        description:
          'Present when nothing merged: the account has reached a quota this merge would add to. ' +
          'The sign-in succeeded; the anonymous data stays with its anonymous user.',
      }),
    quotas: z
      .array(z.enum(['documents', 'documentBytes', 'secrets', 'oauthServers']))
      .optional()
      .openapi({ description: "With `skipped`: the account's quotas that stopped the merge" }),
  })
  .openapi('Merge')

export const SignInSchema = z
  .object({
    user: UserSchema,
    session: SessionSchema,
    merge: MergeSchema.nullable(),
    tokens: TokensSchema.optional(),
    deviceCredential: z.string().optional().openapi({
      description:
        "Token transport, at a sign-in to an account whose email is proven: send it back as deviceCredential with later sign-in requests for this email, so they spend this device's own budget (browsers get it as an HttpOnly cookie)",
    }),
  })
  .openapi('SignIn')

export const EmailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'))

export const NewPasswordSchema = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters')

/** The error responses a route can give, for its OpenAPI entry: `$ref`s to the shared ones. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((status) => [status, errorResponseRef(status)])) as Record<
    S,
    { $ref: string }
  >
}

/** A required JSON request body for a route's OpenAPI entry. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A 204 that clears the session cookies (cookie transport). */
export const cookiesCleared = (description: string) => ({
  description,
  headers: { 'Set-Cookie': { $ref: '#/components/headers/SetCookie' } },
})
