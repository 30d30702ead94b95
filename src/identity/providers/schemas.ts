/** The provider routes' request and answer shapes. */
import { z } from '@hono/zod-openapi'
import { ID_PATTERNS } from '../../platform/ids'
import { TokensSchema } from '../../platform/openapi/schemas'
import { RefreshTokenField } from '../session-proof'

export const ProviderIdParam = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a provider id (GET /v1/auth/providers)'),
})

export const IdentityIdParam = z.object({
  identityId: z.string().regex(ID_PATTERNS.idn, 'must be an identity id (idn_…)'),
})

export const StartBody = z.object({
  redirectTo: z.string().min(1).max(2048).openapi({
    description: 'Where the browser returns: an origin in REDIRECT_ORIGINS, or a loopback address',
  }),
  refreshToken: RefreshTokenField,
  codeChallenge: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a PKCE S256 challenge (43 base64url characters)')
    .optional()
    .openapi({
      description:
        'Token clients: BASE64URL(SHA-256(codeVerifier)); the callback then hands back a one-time code for /v1/auth/providers/exchange',
    }),
})

export const StartSchema = z.object({
  authorizationUrl: z.string(),
  /** Token transport, when this request started the session: its tokens. */
  tokens: TokensSchema.optional(),
})

export const IdentitySchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
    linkedAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('Identity')

/** A token client's handoff: the callback's one-time code and the verifier of its codeChallenge. */
export const HandoffFields = {
  code: z.string().min(1).max(200),
  codeVerifier: z.string().min(43).max(128),
}
