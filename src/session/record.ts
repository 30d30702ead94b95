/**
 * The record a session's object stores, its storage versions, and the pure helpers over it: kept
 * apart from the object itself so the Worker can import the types without the class.
 */
import type { MergeReport, SessionSubject, SessionView } from '../platform/shared-types'

/** The shape `SessionRecord` has today; `upgradeRecord` brings every older one up to it. */
export const RECORD_VERSION = 2

export interface SessionRecord extends SessionSubject {
  version: typeof RECORD_VERSION
  sessionId: string
  createdAt: number
  lastSeenAt: number
  userAgent: string | null
  ip: string | null
  /** When a credential last proved the account in this session; null while anonymous. */
  authenticatedAt: number | null
  idleExpiresAt: number
  absoluteExpiresAt: number
  currentHash: string
  previousHash: string | null
  /** The current secret sealed under a key derived from the previous one; see `refresh`. */
  currentSealedByPrevious: string | null
  /** When D1's index row was last brought up to date; see `SESSION_INDEX_LAG_MS`. */
  indexedAt: number
  /**
   * Secrets this session issued before `previousHash` (newest last, the last 32): presenting one
   * is reuse. A secret it never issued is only a wrong guess and changes nothing.
   */
  issuedHashes: string[]
  /** Secrets from before the last sign-in: refused, but not treated as theft (see `signIn`). */
  retiredHashes: string[]
  /** When `retiredHashes` last grew: within the reuse grace they answer `superseded`. */
  retiredAt: number | null
  /**
   * The last sign-in's presented secret (hash) and the secret it got, sealed under the presented
   * one: the same request repeated within the grace window (a double click, five tabs) gets the
   * same answer instead of rotating again.
   */
  lastSignIn: { presentedHash: string; sealedSecret: string; at: number } | null
  /** The report of the merge that made this session an account's, repeated to later sign-ins. */
  merge: MergeReport | null
  /**
   * For a session that was issued before it materialised: until when its self-certifying first
   * secret would open it again. Ending the session before then leaves a tombstone.
   */
  issuedUntil: number | null
  /**
   * Every form of the first secret (one per master key), hashed: current until the first rotation,
   * when a data write materialised the session from its access token and the secret is not known.
   */
  firstHashes: string[]
}

/**
 * A record as an older deployment stored it: no `version`, and the fields added since then
 * (`issuedHashes`, `retiredAt`, `lastSignIn`, `issuedUntil`, `firstHashes`, `authenticatedAt`)
 * possibly absent.
 */
export type StoredRecord = Omit<
  SessionRecord,
  | 'version'
  | 'issuedHashes'
  | 'retiredAt'
  | 'lastSignIn'
  | 'issuedUntil'
  | 'firstHashes'
  | 'authenticatedAt'
> &
  Partial<Pick<SessionRecord, 'issuedHashes' | 'retiredAt' | 'lastSignIn' | 'firstHashes'>> & {
    version?: number
    issuedUntil?: number | null
    authenticatedAt?: number | null
  }

/** Any stored shape as the current one: every later read sees each field present. */
export function upgradeRecord(stored: StoredRecord | SessionRecord): SessionRecord {
  if (stored.version === RECORD_VERSION) return stored as SessionRecord
  return {
    ...stored,
    version: RECORD_VERSION,
    authenticatedAt: stored.authenticatedAt ?? null,
    issuedHashes: stored.issuedHashes ?? [],
    retiredAt: stored.retiredAt ?? null,
    lastSignIn: stored.lastSignIn ?? null,
    issuedUntil: stored.issuedUntil ?? null,
    firstHashes: stored.firstHashes ?? [],
  }
}

/** What a session starts from: who it is, when, and the hash of the secret it hands out. */
export interface NewRecordInput extends SessionSubject {
  sessionId: string
  /** When the session began: now, or an issued session's issue time. */
  createdAt: number
  now: number
  idleTtlSeconds: number
  absoluteTtlSeconds: number
  userAgent: string | null
  ip: string | null
  currentHash: string
  authenticatedAt: number | null
  /** An issued session materialising: how long its first secret lives, and its every form. */
  issued?: { until: number; firstHashes: string[] }
}

/** The one place a session record is made: a new session, or an issued one materialising. */
export function startRecord(input: NewRecordInput): SessionRecord {
  const { now, createdAt } = input
  return {
    version: RECORD_VERSION,
    sessionId: input.sessionId,
    userId: input.userId,
    isAnonymous: input.isAnonymous,
    role: input.role,
    email: input.email,
    userCreatedAt: input.userCreatedAt,
    createdAt,
    lastSeenAt: now,
    userAgent: input.userAgent,
    ip: input.ip,
    authenticatedAt: input.authenticatedAt,
    idleExpiresAt: now + input.idleTtlSeconds * 1000,
    absoluteExpiresAt: createdAt + input.absoluteTtlSeconds * 1000,
    currentHash: input.currentHash,
    previousHash: null,
    currentSealedByPrevious: null,
    indexedAt: now,
    issuedHashes: [],
    retiredHashes: [],
    retiredAt: null,
    lastSignIn: null,
    merge: null,
    issuedUntil: input.issued?.until ?? null,
    firstHashes: input.issued?.firstHashes ?? [],
  }
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

/** What a session keeps of a link it consumed (never the email): see the sign-in step. */
export interface RememberedLink {
  expiresAt: number
}

/** What a sign-in does to the link memory of its session: keep a link just consumed, or drop one. */
export type LinkChange =
  { kind: 'remember'; link: RememberedLink } | { kind: 'forget' } | { kind: 'none' }

/** The instant the session ends: idle expiry or absolute lifetime, whichever comes first. */
export function expiresAt(record: SessionRecord): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt)
}

/**
 * What a record shows outside the object, field by field: a field added to the record stays
 * inside until it is listed here (no hash, no sealed secret ever leaves).
 */
export function view(record: SessionRecord): SessionView {
  return {
    sessionId: record.sessionId,
    userId: record.userId,
    isAnonymous: record.isAnonymous,
    role: record.role,
    email: record.email,
    userCreatedAt: record.userCreatedAt,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: expiresAt(record),
    userAgent: record.userAgent,
    ip: record.ip,
    authenticatedAt: record.authenticatedAt,
  }
}

/** Whether `hash` is the session's current secret (any form of the first one included). */
export function isCurrent(record: SessionRecord, hash: string): boolean {
  return hash === record.currentHash || record.firstHashes.includes(hash)
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
