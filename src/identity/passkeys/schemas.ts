/** The passkey routes' bodies and answers. WebAuthn's JSON is checked for shape and size only: the library verifies it. */
import { z } from '@hono/zod-openapi'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { ID_PATTERNS } from '../../platform/ids'
import { RefreshTokenField } from '../session-proof'
import { SignInSchema } from '../../platform/openapi/schemas'

const Base64Url = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')

const CredentialFields = {
  id: Base64Url.min(1),
  rawId: Base64Url.min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
}

const RegistrationResponse = z
  .object({
    ...CredentialFields,
    response: z.looseObject({
      clientDataJSON: Base64Url,
      attestationObject: Base64Url,
      transports: z.array(z.string().max(32)).max(10).optional(),
    }),
  })
  .openapi('PasskeyRegistrationResponse', {
    description: "The browser's `RegistrationResponseJSON` (what @simplewebauthn/browser returns)",
  })

const AuthenticationResponse = z
  .object({
    ...CredentialFields,
    response: z.looseObject({
      clientDataJSON: Base64Url,
      authenticatorData: Base64Url,
      signature: Base64Url,
      userHandle: Base64Url.optional(),
    }),
  })
  .openapi('PasskeyAuthenticationResponse', {
    description: "The browser's `AuthenticationResponseJSON`",
  })

export const PasskeyNameSchema = z.string().trim().min(1).max(64, 'must be at most 64 characters')

export const RegistrationBody = z.object({
  response: RegistrationResponse,
  name: PasskeyNameSchema.optional(),
  refreshToken: RefreshTokenField,
})

export const AuthenticationBody = z.object({
  response: AuthenticationResponse,
  refreshToken: RefreshTokenField,
})

/** The zod output is the library's JSON type; the casts name that, not a looser shape. */
export const asRegistration = (r: z.infer<typeof RegistrationResponse>) =>
  r as unknown as RegistrationResponseJSON
export const asAuthentication = (r: z.infer<typeof AuthenticationResponse>) =>
  r as unknown as AuthenticationResponseJSON

export const PasskeySchema = z
  .object({
    id: z.string().openapi({ example: 'pk_01hx3d6q5k4m2n8p9r7s6t5v4w' }),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    deviceType: z.enum(['singleDevice', 'multiDevice']),
    backedUp: z.boolean(),
  })
  .openapi('Passkey')

export const PasskeyIdParam = z.object({
  id: z.string().regex(ID_PATTERNS.pk, 'must be a passkey id (pk_…)'),
})

/** `PublicKeyCredentialCreationOptionsJSON` or `…RequestOptionsJSON`, for the browser to use. */
export const OptionsSchema = z
  .object({
    options: z.record(z.string(), z.unknown()),
    tokens: SignInSchema.shape.tokens,
  })
  .openapi('PasskeyOptions')

export const SignUpSchema = SignInSchema.extend({ passkey: PasskeySchema }).openapi('PasskeySignUp')
