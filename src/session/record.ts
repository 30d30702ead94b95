/**
 * The shapes a SessionDO stores and answers with, and the pure helpers over them: kept apart from
 * the object itself so the Worker can import the types without the class.
 */
import type {
  ClaimedMailbox,
  MergeReport,
  SessionSubject,
  SessionView,
} from '../platform/shared-types'
import type { Settings } from '../platform/config'

export interface SessionRecord extends Omit<SessionView, 'expiresAt'> {
  idleExpiresAt: number
  absoluteExpiresAt: number
  currentHash: string
  previousHash: string | null
  /** The current secret sealed under a key derived from the previous one; see `refresh`. */
  currentSealedByPrevious: string | null
  /** When D1's index row was last brought up to date; see `SESSION_INDEX_TOUCH_INTERVAL_MS`. */
  indexedAt: number
  /**
   * Secrets this session issued before `previousHash` (newest last, the last 32): presenting one
   * is reuse. A secret it never issued is only a wrong guess and changes nothing.
   */
  issuedHashes?: string[]
  /** Secrets from before the last sign-in: refused, but not treated as theft (see `signIn`). */
  retiredHashes: string[]
  /** When `retiredHashes` last grew: within the reuse grace they answer `superseded`. */
  retiredAt?: number | null
  /**
   * The last sign-in's presented secret (hash) and the secret it got, sealed under the presented
   * one: the same request repeated within the grace window (a double click, five tabs) gets the
   * same answer instead of rotating again.
   */
  lastSignIn?: { presentedHash: string; sealedSecret: string; at: number } | null
  /** The report of the merge that made this session an account's, repeated to later sign-ins. */
  merge: MergeReport | null
  /**
   * For a session that was issued before it materialised: until when its self-certifying first
   * secret would open it again. Ending the session before then leaves a tombstone (see SessionDO).
   */
  issuedUntil?: number
  /**
   * Every form of the first secret (one per master key), hashed: current until the first rotation,
   * when a data write materialised the session from its access token and the secret is not known.
   */
  firstHashes?: string[]
}

/** What the object keeps once an issued session ended: its first secret must not open it again. */
export interface Tombstone {
  until: number
}

/** Where a request that materialises a session came from: the index row and audit event say. */
export interface RequestOrigin {
  userAgent: string | null
  ip: string | null
  country: string | null
}

/** The access token's word for an anonymous session that may exist only in its tokens. */
export interface IssuedSubject {
  userId: string
  /** The access token's issue time in ms (`iatMs`): the session's issue time. */
  issuedAt: number
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

/** What a session keeps of a link it consumed (never the email): see `SessionDO.resolveAccount`. */
export interface RememberedLink {
  expiresAt: number
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
  /** An account the Worker already proved (a password, a link's code). */
  | ({ kind: 'account' } & ClaimedMailbox)
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
  /** The quota settings, as the Worker has them: an account that has reached one takes no merge. */
  quotas: Pick<Settings, Extract<keyof Settings, `QUOTA_${string}`>>
  /** The signing-in request, in case this sign-in materialises an issued session. */
  origin?: RequestOrigin
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

/** The instant the session ends: idle expiry or absolute lifetime, whichever comes first. */
export function expiresAt(record: SessionRecord): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt)
}

/** What a record shows outside the object: no hashes, no sealed secret. */
export function view(record: SessionRecord): SessionView {
  const {
    idleExpiresAt: _idle,
    absoluteExpiresAt: _absolute,
    currentHash: _c,
    previousHash: _p,
    currentSealedByPrevious: _s,
    indexedAt: _i,
    retiredHashes: _r,
    issuedHashes: _ih,
    retiredAt: _ra,
    lastSignIn: _ls,
    merge: _m,
    issuedUntil: _iu,
    firstHashes: _fh,
    ...visible
  } = record
  return { ...visible, expiresAt: expiresAt(record) }
}

/** Whether `hash` is the session's current secret (any form of the first one included). */
export function isCurrent(record: SessionRecord, hash: string): boolean {
  return hash === record.currentHash || (record.firstHashes ?? []).includes(hash)
}

/** How long an issued session's first secret is valid: as long as a new session would live. */
export function issuedLifetimeMs(idleTtlSeconds: number, absoluteTtlSeconds: number): number {
  return Math.min(idleTtlSeconds, absoluteTtlSeconds) * 1000
}

/**
 * The view of a session that exists only in its tokens: what a brand-new anonymous user's
 * session looks like, computed rather than stored.
 */
export function issuedView(
  sessionId: string,
  subject: IssuedSubject,
  lifetimeMs: number,
  origin: Pick<RequestOrigin, 'userAgent' | 'ip'> = { userAgent: null, ip: null },
): SessionView {
  return {
    sessionId,
    userId: subject.userId,
    isAnonymous: true,
    role: 'user',
    email: null,
    userCreatedAt: subject.issuedAt,
    createdAt: subject.issuedAt,
    lastSeenAt: subject.issuedAt,
    expiresAt: subject.issuedAt + lifetimeMs,
    userAgent: origin.userAgent,
    ip: origin.ip,
    authenticatedAt: null,
  }
}
