/**
 * SimpleWebAuthn with this service's relying party: the RP ID and page origins from settings,
 * user verification required (a passkey counts as two factors), and any failure of the library's
 * checks (origin, RP ID, challenge, signature, counter) answered as one `passkey_rejected`.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  WebAuthnCredential,
} from '@simplewebauthn/server'
import { AppError } from '../../platform/errors'
import type { Settings } from '../../platform/config'
import { CODE } from '../../contract/error-codes'

// Loaded on first use: the library's ASN.1 schema classes cost ~10 ms of CPU at module load, which
// every isolate would otherwise pay at start-up whether or not it ever sees a passkey.
const webauthn = () => import('@simplewebauthn/server')

type RelyingParty = Pick<Settings, 'WEBAUTHN_RP_ID' | 'WEBAUTHN_RP_NAME' | 'WEBAUTHN_ORIGINS'>

/** 400 for a registration, 401 for a sign-in; the library's reason goes to the log only. */
export function passkeyRejected(status: 400 | 401, reason: string): AppError {
  console.warn(JSON.stringify({ level: 'warn', msg: 'passkey rejected', reason }))
  return new AppError(status, CODE.passkey_rejected, reason)
}

export async function registrationOptions(
  rp: RelyingParty,
  user: { id: string; name: string },
  exclude: Array<{ id: string; transports: string[] }>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return (await webauthn()).generateRegistrationOptions({
    rpName: rp.WEBAUTHN_RP_NAME,
    rpID: rp.WEBAUTHN_RP_ID,
    userName: user.name,
    userID: Uint8Array.from(new TextEncoder().encode(user.id)),
    attestationType: 'none',
    excludeCredentials: exclude,
    // Discoverable, so the passkey alone signs in (no username typed first).
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  })
}

export async function authenticationOptions(
  rp: RelyingParty,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // No allowCredentials: the browser offers every passkey it holds for this RP (and autofill).
  return (await webauthn()).generateAuthenticationOptions({
    rpID: rp.WEBAUTHN_RP_ID,
    userVerification: 'required',
  })
}

export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
) {
  try {
    const result = await (
      await webauthn()
    ).verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.WEBAUTHN_ORIGINS,
      expectedRPID: rp.WEBAUTHN_RP_ID,
      requireUserVerification: true,
    })
    if (result.verified) return result.registrationInfo
    throw passkeyRejected(400, 'registration not verified')
  } catch (error) {
    if (error instanceof AppError) throw error
    throw passkeyRejected(400, String(error))
  }
}

export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  credential: WebAuthnCredential,
) {
  try {
    const result = await (
      await webauthn()
    ).verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.WEBAUTHN_ORIGINS,
      expectedRPID: rp.WEBAUTHN_RP_ID,
      credential,
      requireUserVerification: true,
    })
    if (result.verified) return result.authenticationInfo
    throw passkeyRejected(401, 'assertion not verified')
  } catch (error) {
    if (error instanceof AppError) throw error
    throw passkeyRejected(401, String(error))
  }
}
