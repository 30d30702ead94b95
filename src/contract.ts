/**
 * Shapes the service shares with the Workers that build on it (the library, the RPC entrypoint,
 * the user-context middleware). Types only, importing nothing of the service, so the published
 * library's `.d.ts` stands alone; test/rpc.test.ts holds them equal to what the service answers.
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
}
