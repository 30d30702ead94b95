/**
 * The second-factor hooks: finish a sign-in that asked for a code (`useSession().status` is
 * `second_factor_required`), and the account's own authenticator app and recovery codes. Each is a
 * `SessionAction`, so a refused step-up shows as `error.code === 'recent_sign_in_required'`.
 */
import type {
  SecondFactorProof,
  SecondFactors,
  SessionClient,
  SignIn,
  TotpEnrolment,
} from '@edge-session/client'
import { useSessionAction, type SessionAction } from './use-session-action'

const verify = (client: SessionClient, proof: SecondFactorProof) => client.mfa.verify(proof)
const status = (client: SessionClient) => client.mfa.status()
const enrolTotp = (client: SessionClient) => client.mfa.enrolTotp()
const confirmTotp = (client: SessionClient, code: string) => client.mfa.confirmTotp(code)
const stepUp = (client: SessionClient, proof: SecondFactorProof) => client.mfa.stepUp(proof)
const disable = (client: SessionClient, proof: SecondFactorProof) => client.mfa.disable(proof)
const regenerate = (client: SessionClient) => client.mfa.regenerateRecoveryCodes()

export interface MfaActions {
  /** Answers the pending sign-in's challenge with `{code}` or `{recoveryCode}`; signs in. */
  verify: SessionAction<[proof: SecondFactorProof], SignIn>
  status: SessionAction<[], SecondFactors>
  /** Starts enrolling an authenticator app: show `qrCode` (an `<img src>`). */
  enrolTotp: SessionAction<[], TotpEnrolment>
  /** Confirms it with a first code; resolves to ten recovery codes, shown once. */
  confirmTotp: SessionAction<[code: string], string[]>
  /** A code now counts as a recent sign-in for five minutes. */
  stepUp: SessionAction<[proof: SecondFactorProof], void>
  /** A recent sign-in (or `stepUp`) and a code. */
  disable: SessionAction<[proof: SecondFactorProof], void>
  regenerateRecoveryCodes: SessionAction<[], string[]>
}

export function useMfa(): MfaActions {
  return {
    verify: useSessionAction(verify),
    status: useSessionAction(status),
    enrolTotp: useSessionAction(enrolTotp),
    confirmTotp: useSessionAction(confirmTotp),
    stepUp: useSessionAction(stepUp),
    disable: useSessionAction(disable),
    regenerateRecoveryCodes: useSessionAction(regenerate),
  }
}
