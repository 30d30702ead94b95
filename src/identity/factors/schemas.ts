/** Request and answer shapes of the second-factor routes, for validation and the OpenAPI document. */
import { z } from '@hono/zod-openapi'
import { SECOND_FACTOR_METHODS, type SecondFactorPending } from './challenges'

export const SecondFactorRequiredSchema = z
  .object({
    secondFactorRequired: z.literal(true),
    challenge: z.string().openapi({
      description:
        'Send it to POST /v1/auth/second-factor with a code; single use, valid for 5 minutes',
    }),
    methods: z.array(z.enum(SECOND_FACTOR_METHODS)),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('SecondFactorRequired', {
    description:
      'The first factor was right, and the account has a second factor: no session was issued and nothing merged yet',
  })

export function secondFactorAnswer(pending: SecondFactorPending) {
  return {
    secondFactorRequired: true as const,
    challenge: pending.challenge,
    methods: [...pending.methods],
    expiresAt: new Date(pending.expiresAt).toISOString(),
  }
}

/** A code from the authenticator app (six digits), or a recovery code: exactly one of them. */
export const FactorProofFields = {
  code: z
    .string()
    .regex(/^\s*\d{3}\s?\d{3}\s*$/, 'must be the six digits the authenticator app shows')
    .optional(),
  recoveryCode: z.string().min(8).max(32).optional(),
}

/** The proof a body carries, once validated: 400 unless exactly one of the two is there. */
export function factorProofOf(body: { code?: string; recoveryCode?: string }) {
  if (body.code !== undefined && body.recoveryCode === undefined) return { code: body.code }
  if (body.recoveryCode !== undefined && body.code === undefined)
    return { recoveryCode: body.recoveryCode }
  return null
}

export const TotpEnrolmentSchema = z
  .object({
    uri: z.string().openapi({ description: 'The otpauth:// URI an authenticator app takes' }),
    qrCode: z.string().openapi({ description: 'The URI as a QR code: an SVG data URL' }),
    secret: z.string().openapi({ description: 'The secret in base32, to type in by hand' }),
  })
  .openapi('TotpEnrolment')

export const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z.array(z.string()).openapi({
      description: 'Shown this once; each works once. Earlier codes no longer work.',
    }),
  })
  .openapi('RecoveryCodes')

export const FactorsSchema = z
  .object({
    totp: z
      .object({
        confirmed: z.boolean(),
        createdAt: z.string().openapi({ format: 'date-time' }),
        confirmedAt: z.string().nullable().openapi({ format: 'date-time' }),
        lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
      })
      .nullable(),
    recoveryCodesLeft: z.number().int(),
  })
  .openapi('SecondFactors')
