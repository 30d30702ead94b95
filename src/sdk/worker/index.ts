/**
 * The library entry (`@edge-session/lib`, built by packages/lib) for other Workers: the middleware that gives a Hono app
 * `c.var.user` from this service's tokens, and the types of the RPC entrypoint for a service
 * binding. Nothing here needs D1 or Durable Objects.
 */
export {
  remoteUserContext as userContext,
  type RemoteUserContextMode as UserContextMode,
  type RemoteUserContextOptions as UserContextOptions,
  type RemoteUserEnv as UserContextEnv,
} from './remote-user-context'
export type { JwksFetch } from './remote-key-set'
export type { TokenInfo, User, UserContext, VerifyOptions } from '../../contract/api'
export type { SessionServiceApi as SessionService } from '../../contract/rpc'
export {
  handleSessionEvents,
  isErased,
  isMerged,
  type SessionEventHandlers,
  type SessionEventsResult,
} from './event-handler'
export type { SessionEvent, UserErasedEvent, UserMergedEvent } from '../../contract/events'
export {
  createRemoteOAuthProvider,
  RemoteOAuthClientProvider,
  type OAuthStorageService,
  type RemoteOAuthProviderOptions,
} from './remote-oauth-provider'
export type {
  OAuthClearScope,
  OAuthRecord,
  PendingAuthorization,
  StoredClient,
  StoredDiscoveryState,
  StoredTokens,
} from '../../contract/api'
