/**
 * The RPC entrypoint's shape as a bound Worker sees it, for `Service<SessionService>` in another
 * Worker's Env. Types only (it needs the Workers types' `Rpc` brand); `SessionService` in
 * src/rpc/session-service.ts implements it, so the two cannot drift.
 */
import type {
  OAuthClearScope,
  OAuthRecord,
  OAuthWriteResult,
  PendingAuthorization,
  StoredClient,
  StoredDiscoveryState,
  StoredTokens,
  TokenInfo,
  User,
  VerifyOptions,
} from './api'

/**
 * The RPC entrypoint `SessionService` as a bound Worker sees it.
 * @example interface Env { AUTH: Service<SessionService> }
 */
export interface SessionServiceApi extends Rpc.WorkerEntrypointBranded {
  /** The claims of a valid access token, or null; `{ fresh: true }` also asks the session. */
  verify(token: string, options?: VerifyOptions): Promise<TokenInfo | null>
  /** A user by id, or null (unknown, malformed, erased, or merged into an account). */
  getUser(id: string): Promise<User | null>
  /** The user an id stands for now: a merged anonymous user resolves to its account. */
  resolveUser(id: string): Promise<User | null>
  /** Ends a live session; true if it was live. */
  revokeSession(id: string): Promise<boolean>
  /** The OAuth record of a user for a server (all null when there is none); null for bad ids. */
  getOAuth(userId: string, serverId: string): Promise<OAuthRecord | null>
  /** Stores tokens; `clearPending` also ends the authorization they came from. */
  saveOAuthTokens(
    userId: string,
    serverId: string,
    tokens: StoredTokens,
    options?: { clearPending?: boolean },
  ): Promise<OAuthWriteResult>
  saveOAuthClient(userId: string, serverId: string, client: StoredClient): Promise<OAuthWriteResult>
  saveOAuthPending(
    userId: string,
    serverId: string,
    pending: PendingAuthorization,
  ): Promise<OAuthWriteResult>
  /** Stores the MCP SDK's discovery state, so later `auth()` calls skip metadata discovery. */
  saveOAuthDiscovery(
    userId: string,
    serverId: string,
    discovery: StoredDiscoveryState,
  ): Promise<OAuthWriteResult>
  clearOAuth(userId: string, serverId: string, scope: OAuthClearScope): Promise<OAuthWriteResult>
}
