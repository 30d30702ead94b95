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
export { materialiseIssued } from './materialise'
export {
  type CreateSessionInput,
  type PendingChallenge,
  type ProofPolicy,
  type RefreshPolicy,
  type RefreshResult,
  type ResolveInput,
  type SessionObjectApi,
  type SignInInput,
  type SignInResult,
  type SignInTarget,
} from './object/api'
export { ChallengeKeeper } from './object/challenge-keeper'
export { ObjectRuntime } from './object/runtime'
export { SessionStorage } from './object/storage'
export { isLive, SESSION_INDEX_LAG_MS, touchSession } from './queries'
export {
  expiresAt,
  issuedLifetimeMs,
  type IssuedSubject,
  issuedView,
  type LinkChange,
  type RememberedLink,
  type RequestOrigin,
  type SessionRecord,
  startRecord,
  type Tombstone,
  view,
} from './record'
export {
  decideAlarm,
  decideRefresh,
  type PreparedRotation,
  proves,
  repeatedSignIn,
  signInRecord,
  type Successor,
  tombstoneFor,
} from './rotation'
export { successorFor, unsealFor } from './object/secret-sealing'
export { sessionStub } from './object/stub'
export {
  checkSessionIsLive,
  requireUser,
  userContext,
  verifyAccessTokenAtEdge,
} from './user-context'
export const loadMeRoutes = () => import('./routes/me').then((m) => m.meRoutes)
export const loadSessionRoutes = () => import('./routes/sessions').then((m) => m.sessionRoutes)
export const loadAuthRoutes = () => import('./routes/tokens').then((m) => m.authRoutes)
export { sessionRetention } from './retention'
