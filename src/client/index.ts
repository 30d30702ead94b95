/**
 * The browser SDK (`@edge-session/client`, built by packages/client): sessions, sign-in and per-user data over the HTTP
 * contract, with cookie or token transport and a single-flight refresh. It imports no server code
 * at run time (types only), so a bundler ships just these few files.
 */
export { createSessionClient } from './session-client'
export type { Credentials, SessionClient, SessionClientOptions } from './session-client'
export { SessionClientError } from './errors'
export type { ErrorBody } from './errors'
export type { ClientRequestInit, FetchLike, Transport } from './requester'
export { createMemoryTokenStore } from './token-store'
export type { StoredTokens, TokenStore } from './token-store'
export type * from './types'
