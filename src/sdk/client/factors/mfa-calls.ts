/**
 * The SDK's second-factor calls (`client.mfa`): enrol an authenticator app, confirm it, answer a
 * sign-in's challenge, step up before a sensitive change, disable it, new recovery codes.
 */
import type { Requester } from '../requester'
import type { SecondFactorState } from '../session-changes'
import type { SecondFactors, SignIn, TotpEnrolment } from '../types'

/** A code from the authenticator app, or one of the recovery codes. */
export type SecondFactorProof = { code: string } | { recoveryCode: string }

const proofOf = (proof: string | SecondFactorProof): SecondFactorProof =>
  typeof proof === 'string' ? { code: proof } : proof

export function createMfaCalls(
  call: Requester['call'],
  signIn: <T extends SignIn>(answer: Promise<T>) => Promise<T>,
  pending: () => SecondFactorState | null,
) {
  return {
    /** The account's authenticator app (never its secret) and how many recovery codes are left. */
    status: () => call<SecondFactors>({ method: 'GET', path: '/v1/me/factors' }),
    /**
     * Starts enrolling an authenticator app: show `qrCode` (an `<img src>`), then `confirmTotp`
     * with the code the app shows. Needs a sign-in within 5 minutes (`recent_sign_in_required`).
     */
    enrolTotp: () => call<TotpEnrolment>({ method: 'POST', path: '/v1/me/factors/totp' }),
    /** Confirms the app with its current code; resolves to ten recovery codes, shown this once. */
    confirmTotp: async (code: string) =>
      (
        await call<{ recoveryCodes: string[] }>({
          method: 'POST',
          path: '/v1/me/factors/totp/confirm',
          body: { code },
        })
      ).recoveryCodes,
    /**
     * Finishes a sign-in that threw `SecondFactorRequiredError` (state `second_factor_required`)
     * with a code or a recovery code; `challenge` defaults to the pending one.
     * @example
     * await client.mfa.verify({ code: '123456' })
     */
    verify: (answer: SecondFactorProof & { challenge?: string }) => {
      const challenge = answer.challenge ?? pending()?.challenge
      return signIn(
        call<SignIn>({
          method: 'POST',
          path: '/v1/auth/second-factor',
          body: { ...answer, challenge },
          issuesSession: true,
          provesSession: true,
        }),
      )
    },
    /** Step-up: a code accepted now counts as a recent sign-in for 5 minutes. */
    stepUp: (proof: string | SecondFactorProof) =>
      call<void>({ method: 'POST', path: '/v1/me/factors/verify', body: proofOf(proof) }),
    /** Disables the authenticator app: a recent sign-in (or `stepUp`) and a code. */
    disable: (proof: string | SecondFactorProof) =>
      call<void>({ method: 'POST', path: '/v1/me/factors/totp/disable', body: proofOf(proof) }),
    /** Ten new recovery codes (the old ones stop working); needs a recent sign-in or `stepUp`. */
    regenerateRecoveryCodes: async () =>
      (
        await call<{ recoveryCodes: string[] }>({
          method: 'POST',
          path: '/v1/me/factors/recovery-codes',
        })
      ).recoveryCodes,
  }
}
