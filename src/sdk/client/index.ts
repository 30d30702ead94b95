/**
 * The browser SDK (`@edge-session/client`, built by packages/client): sessions, sign-in and per-user data over the HTTP
 * contract, with cookie or token transport and a single-flight refresh. It imports no server code
 * at run time (types only), so a bundler ships just these few files.
 */
export { createSessionClient } from './session-client'
export type { Credentials, SessionClient, SessionClientOptions } from './session-client'
export { SecondFactorRequiredError, SessionClientError } from './errors'
export type { ClientErrorCode, ErrorBody } from './errors'
export type { ErrorCode } from '../../contract/error-codes'
export type { PasskeySignInOptions } from './factors/passkey-calls'
export { createMemoryVerifierStore } from './pkce'
export type { VerifierStore } from './pkce'
export { providerReturnError, providerReturnSecondFactor } from './providers'
export type {
  AuthMethod,
  AuthProvider,
  AuthProviders,
  Identity,
  ProviderRedirect,
  ProviderRedirectOptions,
  ProviderSignIn,
} from './providers'
export type { SecondFactorProof } from './factors/mfa-calls'
export type { ClientRequestInit, FetchLike, RefreshOutcome, Transport } from './requester'
export type { GetTokenOptions } from './access-tokens'
export type {
  NoSessionState,
  SecondFactorState,
  SessionChange,
  SessionListener,
  SessionState,
  SessionStatus,
  UserSessionState,
} from './session-changes'
export { createTabChannel } from './tab-channel'
export type { TabChannel, TabMessage, TabScope } from './tab-channel'
export { createMemoryDeviceCredentialStore, createMemoryTokenStore } from './token-store'
export type { DeviceCredentialStore, StoredTokens, TokenStore } from './token-store'
export type * from './types'
