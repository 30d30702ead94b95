/**
 * The session object's RPC surface: the only methods the Worker calls on its stub, and what they
 * take and answer. durable-objects/session.ts implements it; everything below the object types
 * its stub by this interface, so no module under src/ names the object's class.
 */
import type {
  ClaimedMailbox,
  MergeReport,
  SessionSubject,
  SessionView,
} from '../../platform/shared-types'
import type { IssuedSubject, RememberedLink, RequestOrigin } from '../record'
import type { Settings } from '../../platform/config'

/**
 * A challenge this session asked for (WebAuthn, a second factor), kept in its object, never in a
 * cookie: one per purpose, a newer one replacing it, gone once taken or expired.
 */
export interface PendingChallenge {
  purpose: string
  challenge: string
  expiresAt: number
  /** The user the ceremony is for: an account adding a passkey, or the account it will create. */
  userId: string
  /** When it was made: the kill switch ends challenges made before it. */
  createdAt?: number
  /** What the slice that asked needs back with it; the object never reads it. */
  context?: Record<string, string | number | boolean>
}

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
  /** Keeps a challenge for this session, replacing any earlier one of its purpose. */
  putChallenge(challenge: PendingChallenge): Promise<void>
  /** Takes (single use) the challenge of `purpose`: null when there is none or it expired. */
  takeChallenge(purpose: string, now: number): PendingChallenge | null
  /** The live challenge of `purpose`, left in place (a wrong code does not use it up). */
  peekChallenge(purpose: string, now: number): PendingChallenge | null
  /** Ends the session; returns the user it belonged to, if it was live. */
  revoke(): Promise<string | null>
}

export interface ResolveInput {
  now: number
  subject: IssuedSubject
  /** Materialise an issued session (a write is coming), from this request; else only answer. */
  materialiseFrom: RequestOrigin | null
  idleTtlSeconds: number
}

export interface CreateSessionInput extends SessionSubject {
  sessionId: string
  now: number
  idleTtlSeconds: number
  absoluteTtlSeconds: number
  userAgent: string | null
  ip: string | null
  /** True when a credential just proved the account (every account session starts that way). */
  authenticated: boolean
  /** A sign-in link this new session was started by: a second click from it repeats the success. */
  rememberLink?: RememberedLink & { tokenHash: string }
}

export interface RefreshPolicy {
  /** The session id the token named: what its first secret is bound to. */
  sessionId?: string
  now: number
  idleTtlSeconds: number
  reuseGraceSeconds: number
  /** The refreshing request, in case this refresh materialises an issued session. */
  origin?: RequestOrigin
}

/**
 * `superseded`: a secret from before a sign-in, within the grace window (another tab has the new
 * one); `stale`: the same after the window, a plain invalid token. Neither is treated as theft.
 */
export type RefreshResult =
  | { ok: true; secret: string; session: SessionView; touchIndex: boolean }
  | {
      ok: false
      reason: 'unknown' | 'expired' | 'reused' | 'superseded' | 'stale'
      userId: string | null
    }

/** What a sign-in binds the session to: a known account, or whoever a magic link names. */
export type SignInTarget =
  /**
   * An account the Worker already proved (a password, a link's code, a passkey, a second factor).
   * `secondFactorProven`: the proof covers both factors (a passkey with user verification, or a
   * second factor just accepted), so an account with a second factor is not asked for it.
   */
  | ({ kind: 'account'; secondFactorProven?: boolean } & ClaimedMailbox)
  /** Whoever an unused sign-in link names: consumed inside the object, under its lock. */
  | { kind: 'magic-link'; tokenHash: string }

/** When a presented secret proves a session: current, or previous within the grace window. */
export interface ProofPolicy {
  /** The session id the request named: what an issued session's first secret is bound to. */
  sessionId?: string
  now: number
  reuseGraceSeconds: number
  /** The kill switch: sessions (and links) from before it prove nothing. */
  revokedBefore: number
}

export interface SignInInput extends ProofPolicy {
  target: SignInTarget
  /** The session's refresh secret, as the request presented it: the proof that it is this session. */
  presented: string
  idleTtlSeconds: number
  /** The signing-in request, in case this sign-in materialises an issued session. */
  origin?: RequestOrigin
  /** The quota settings, as the Worker has them: an account that has reached one takes no merge. */
  quotas: Pick<Settings, Extract<keyof Settings, `QUOTA_${string}`>>
}

export type SignInResult =
  | ({
      ok: true
      secret: string
      session: SessionView
      merge: MergeReport | null
      mergedNow: boolean
    } & ClaimedMailbox)
  /** The presented secret does not open this live session: the Worker signs in without it. */
  | { ok: false; reason: 'unproven' | 'invalid_link' }
  /** The session is another account's: the Worker starts a new session for `account`. */
  | ({ ok: false; reason: 'other_account' } & ClaimedMailbox)
  /** The account has a second factor this proof does not cover: nothing changed but the link. */
  | ({ ok: false; reason: 'second_factor_required' } & ClaimedMailbox)
