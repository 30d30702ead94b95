/**
 * The shapes a SessionDO stores and answers with, and the pure helpers over them: kept apart from
 * the object itself so the Worker can import the types without the class.
 */
import type { AccountSubject } from '../src/services/accounts'
import type { MergeReport } from '../src/services/merge'

/** Who the session belongs to: what access-token claims and the `user` answer are made from. */
export interface SessionSubject {
  userId: string
  isAnonymous: boolean
  role: string
  email: string | null
  userCreatedAt: number
}

/** A live session as the Worker sees it: enough to answer `{user, session}` without D1. */
export interface SessionView extends SessionSubject {
  sessionId: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  userAgent: string | null
  ip: string | null
}

export interface SessionRecord extends Omit<SessionView, 'expiresAt'> {
  idleExpiresAt: number
  absoluteExpiresAt: number
  currentHash: string
  previousHash: string | null
  /** The current secret sealed under a key derived from the previous one; see `refresh`. */
  currentSealedByPrevious: string | null
  /** When D1's index row was last brought up to date; see `SESSION_INDEX_TOUCH_INTERVAL_MS`. */
  indexedAt: number
  /** Secrets from before the last sign-in: refused, but not treated as theft (see `signIn`). */
  retiredHashes: string[]
  /** The report of the merge that made this session an account's, repeated to later sign-ins. */
  merge: MergeReport | null
}

export interface CreateSessionInput extends SessionSubject {
  sessionId: string
  now: number
  idleTtlSeconds: number
  absoluteTtlSeconds: number
  userAgent: string | null
  ip: string | null
}

export interface RefreshPolicy {
  now: number
  idleTtlSeconds: number
  reuseGraceSeconds: number
}

export type RefreshResult =
  | { ok: true; secret: string; session: SessionView; touchIndex: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'reused' | 'superseded'; userId: string | null }

/** What a sign-in binds the session to: a known account, or whoever a magic link names. */
export type SignInTarget =
  | { kind: 'account'; account: AccountSubject }
  | { kind: 'magic-link'; tokenHash: string; adminEmails: string[] }

export interface SignInInput {
  target: SignInTarget
  now: number
  idleTtlSeconds: number
}

export type SignInResult =
  | {
      ok: true
      secret: string
      session: SessionView
      merge: MergeReport | null
      mergedNow: boolean
      account: AccountSubject
    }
  | { ok: false; reason: 'unknown' | 'invalid_link' }
  /** The session is another account's: the Worker starts a new session for `account`. */
  | { ok: false; reason: 'other_account'; account: AccountSubject }

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
    merge: _m,
    ...visible
  } = record
  return { ...visible, expiresAt: expiresAt(record) }
}
