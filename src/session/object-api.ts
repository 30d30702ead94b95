/**
 * The session object's RPC surface: the only methods the Worker calls on its stub.
 * durable-objects/session.ts implements it; everything below the object types its stub by this
 * interface, so no module under src/ names the object's class.
 */
import type { SessionView } from '../platform/shared-types'
import type {
  CreateSessionInput,
  ProofPolicy,
  RefreshPolicy,
  RefreshResult,
  ResolveInput,
  SignInInput,
  SignInResult,
} from './record'

export interface SessionObjectApi extends Rpc.DurableObjectBranded {
  /** Stores a new session (a sign-in with no session to carry on) and returns its first secret. */
  create(input: CreateSessionInput): Promise<{ secret: string; session: SessionView }>
  /** Rotates the presented secret (RFC 9700 §4.14.2), materialising an issued session first. */
  refresh(presented: string, policy: RefreshPolicy): Promise<RefreshResult>
  /** The session behind an issued session's token, materialised (a first data write or sign-in). */
  resolve(sessionId: string, input: ResolveInput): Promise<SessionView | null>
  /** The sign-in step every method ends in: bind the session to the account, merge once, rotate. */
  signIn(input: SignInInput): Promise<SignInResult>
  /** Whether the presented secret is this session's current one (a proof, nothing rotates). */
  holds(presented: string, policy: ProofPolicy): Promise<boolean>
  /** The live session, or null: the `fresh` check that sees revocation at once. */
  status(now: number): SessionView | null
  /** Ends the session; returns the user it belonged to, if it was live. */
  revoke(): Promise<string | null>
}
