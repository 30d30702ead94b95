/**
 * What every sign-in provider does, whatever protocol it speaks: build the authorization URL of a
 * flow, then turn the callback's code into a verified identity.
 */

/** Who a provider says the person is. The subject is the identity; the email is only asserted. */
export interface ProviderIdentity {
  provider: string
  subject: string
  /** As the provider asserted it, normalised; null when it gave none. */
  email: string | null
  /** The provider claims to have verified the email. */
  emailVerified: boolean
  /** The provider's verification is trusted to prove the mailbox (never Microsoft's `email`). */
  emailTrusted: boolean
  /** A display name, when the provider gave one. */
  name: string | null
}

/** One flow's secrets, made at its start and kept by the session that started it. */
export interface FlowSecrets {
  state: string
  codeVerifier: string
  nonce: string
  redirectUri: string
}

export interface SignInProvider {
  id: string
  name: string
  authorizationUrl(flow: FlowSecrets): Promise<URL>
  /** Exchanges the code and verifies what comes back; throws `provider_rejected` when it does not hold. */
  identify(flow: FlowSecrets, callback: URLSearchParams): Promise<ProviderIdentity>
}
