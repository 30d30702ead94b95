/**
 * Shapes the service shares with the code that builds on it (the Worker library, the RPC
 * entrypoint, the browser SDK). Plain data types only, importing nothing and needing no runtime's
 * globals, so both published `.d.ts` stand alone; test/rpc/session-service.test.ts and
 * test/sdk/client/contract-types.test.ts hold them equal to what the service answers.
 */

/** Who is calling: the same shape for every handler, here and in another Worker's middleware. */
export interface UserContext {
  id: string
  email: string | null
  isAnonymous: boolean
  role: string
  sessionId: string
}

/** The verified claims of an access token: what `GET /v1/auth/token-info` answers. */
export interface TokenInfo {
  sub: string
  sid: string
  anon: boolean
  role: string
  iat: number
  exp: number
}

/** The contract's `User`. */
export interface User {
  id: string
  email: string | null
  isAnonymous: boolean
  role: string
  createdAt: string
}

export interface VerifyOptions {
  /**
   * Also ask the session's Durable Object (and D1's kill switch) whether the session is still
   * live: a revoked, expired or signed-in-elsewhere session fails at once, at the cost of one
   * call to the object (Firebase's `verifyIdToken(token, checkRevoked)`).
   */
  fresh?: boolean
}

/**
 * OAuth tokens as the MCP SDK keeps them (RFC 6749 §5.1). Other fields are stored and returned
 * too; they are left out of the type because RPC types need every field to be serializable.
 */
export interface StoredTokens {
  access_token: string
  token_type: string
  refresh_token?: string | undefined
  expires_in?: number | undefined
  scope?: string | undefined
  id_token?: string | undefined
  issuer?: string | undefined
}

/** OAuth client information as the MCP SDK keeps it (RFC 7591); other fields are kept too. */
export interface StoredClient {
  client_id: string
  client_secret?: string | undefined
  client_id_issued_at?: number | undefined
  client_secret_expires_at?: number | undefined
  issuer?: string | undefined
}

/** An authorization in progress: its PKCE verifier and the `state` sent with it (10 minutes). */
export interface PendingAuthorization {
  verifier: string
  state: string | null
}

/**
 * The MCP SDK's `OAuthDiscoveryState`: where the authorization server is and what its metadata
 * documents said (RFC 9728, RFC 8414). The metadata objects are stored and returned whole; they
 * are left out of the type for the same reason as above.
 */
export interface StoredDiscoveryState {
  authorizationServerUrl: string
  resourceMetadataUrl?: string | undefined
}

/** What the service keeps for one (user, server), as `getOAuth` answers it. */
export interface OAuthRecord {
  tokens: StoredTokens | null
  client: StoredClient | null
  pending: PendingAuthorization | null
  discovery: StoredDiscoveryState | null
}

/**
 * How an OAuth write over RPC ended. Refusals are answers, not exceptions: the contract's error
 * code and message, as the HTTP API would send them.
 */
export type OAuthWriteResult = { ok: true } | { ok: false; code: string; message: string }

/** What `clearOAuth` forgets, as the MCP SDK's `invalidateCredentials` names it. */
export type OAuthClearScope = 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'
