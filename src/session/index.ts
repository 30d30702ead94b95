/**
 * The session slice's public face: issuing, refreshing and ending sessions, the session record and
 * its object's RPC surface, the user-context middleware. The session slice imports no other slice;
 * others import it only through this file.
 */
export {
  endSessionsOf,
  enforceSessionLimit,
  issue,
  listSessions,
  revokeSessionById,
  startSession,
  type StartSessionOptions,
} from './lifecycle'
export { writeMaterialisedSession } from './materialise'
export { type SessionObjectApi } from './object-api'
export { isLive, SESSION_INDEX_LAG_MS, touchSession } from './queries'
export {
  type CreateSessionInput,
  expiresAt,
  isCurrent,
  issuedLifetimeMs,
  type IssuedSubject,
  issuedView,
  type ProofPolicy,
  type RefreshPolicy,
  type RefreshResult,
  type RememberedLink,
  type RequestOrigin,
  type ResolveInput,
  type SessionRecord,
  type SignInInput,
  type SignInResult,
  type SignInTarget,
  type Tombstone,
  view,
} from './record'
export { sessionStub } from './stub'
export {
  checkSessionIsLive,
  requireUser,
  userContext,
  verifyAccessTokenAtEdge,
} from './user-context'
export { meRoutes } from './me-routes'
export { sessionRoutes } from './session-routes'
export { authRoutes } from './token-routes'
export { sessionRetention } from './retention'
