/**
 * The refresh, reuse, grace, sign-in and tombstone rules (RFC 9700 §4.14.2) as pure functions
 * over a session record: what the presented secret's hash means at `now` under the policy. They
 * decide; the session object applies the decision to its storage and does the crypto (hashing,
 * sealing) before and after, so its critical section stays synchronous.
 */
import type { AccountSubject, MergeReport } from '../platform/shared-types'
import type { ProofPolicy } from './object/api'
import { expiresAt, isCurrent, type SessionRecord, type Tombstone } from './record'

/** Retired secrets kept per session: enough for every tab a person has open across sign-ins. */
export const MAX_RETIRED_HASHES = 16
/**
 * Older issued secrets kept for reuse detection: a stolen token replayed after 32 rotations is
 * only refused, not detected, which bounds the record's size.
 */
export const MAX_ISSUED_HASHES = 32

export interface RotationPolicy {
  now: number
  idleTtlSeconds: number
  reuseGraceSeconds: number
  /** How often D1's index row follows the record (see `SESSION_INDEX_LAG_MS`). */
  indexIntervalMs: number
}

/** The secret a rotation would hand out, prepared before the decision: its hash, and sealed. */
export interface Successor {
  hash: string
  /** The successor sealed under a key derived from the presented secret. */
  sealed: string
}

/** What one refresh prepares before its critical section: the presented secret and successor. */
export interface PreparedRotation {
  presented: string
  presentedHash: string
  nextSecret: string
  successor: Successor
}

/**
 * What a presented secret does to a session. Only `rotated` carries a new record; `expired` and
 * `reused` end the session; every other outcome leaves the record exactly as it was.
 */
export type RefreshDecision =
  | { kind: 'rotated'; record: SessionRecord; touchIndex: boolean }
  /** The previous secret within the grace window: the current successor, sealed for it. */
  | { kind: 'grace'; sealed: string }
  | { kind: 'expired' }
  | { kind: 'reused' }
  /** A secret from before a sign-in, within the grace window: another tab has the new one. */
  | { kind: 'superseded' }
  /** The same after the window: a plain invalid token, not theft. */
  | { kind: 'stale' }
  /** A secret this session never issued: a guess at a public session id, which changes nothing. */
  | { kind: 'unknown' }

export function decideRefresh(
  record: SessionRecord,
  presentedHash: string,
  successor: Successor,
  policy: RotationPolicy,
): RefreshDecision {
  const { now } = policy
  const grace = policy.reuseGraceSeconds * 1000
  if (now >= expiresAt(record)) return { kind: 'expired' }
  if (isCurrent(record, presentedHash)) {
    const touchIndex = now - record.indexedAt >= policy.indexIntervalMs
    const rotated: SessionRecord = {
      ...record,
      issuedHashes: remember(record.issuedHashes, record.previousHash, MAX_ISSUED_HASHES),
      previousHash: presentedHash,
      currentHash: successor.hash,
      currentSealedByPrevious: successor.sealed,
      // The first secret's other forms die with its first rotation.
      firstHashes: [],
      lastSeenAt: now,
      idleExpiresAt: now + policy.idleTtlSeconds * 1000,
      indexedAt: touchIndex ? now : record.indexedAt,
    }
    return { kind: 'rotated', record: rotated, touchIndex }
  }
  const withinGrace = now - record.lastSeenAt <= grace
  if (presentedHash === record.previousHash && withinGrace && record.currentSealedByPrevious)
    return { kind: 'grace', sealed: record.currentSealedByPrevious }
  if (record.retiredHashes.includes(presentedHash)) {
    // Within the grace window another tab holds the sign-in's new secret, so the browser's jar
    // is already right; after it, the holder lost the sign-in's answer and must start afresh.
    const recent = now - (record.retiredAt ?? 0) <= grace
    return { kind: recent ? 'superseded' : 'stale' }
  }
  // Reuse is a secret this session handed out before; anything else is a guess at a session id
  // that everyone can read (it is in every token), and must not end the owner's session.
  const issuedBefore =
    presentedHash === record.previousHash || record.issuedHashes.includes(presentedHash)
  return { kind: issuedBefore ? 'reused' : 'unknown' }
}

/**
 * Whether the request presented this live session's secret: the current one, the previous one
 * within the grace window, or one a sign-in retired within that window (the same browser asking
 * twice, as a double click does, gets the same success rather than an error).
 */
export function proves(record: SessionRecord, presentedHash: string, policy: ProofPolicy): boolean {
  if (policy.now >= expiresAt(record) || record.createdAt < policy.revokedBefore) return false
  if (isCurrent(record, presentedHash)) return true
  const grace = policy.reuseGraceSeconds * 1000
  if (presentedHash === record.previousHash) return policy.now - record.lastSeenAt <= grace
  return (
    record.retiredHashes.includes(presentedHash) && policy.now - (record.retiredAt ?? 0) <= grace
  )
}

/** The last sign-in's sealed secret, when this is that same request again within the grace. */
export function repeatedSignIn(
  record: SessionRecord,
  presentedHash: string,
  policy: Pick<ProofPolicy, 'now' | 'reuseGraceSeconds'>,
): string | null {
  const last = record.lastSignIn
  if (!last || last.presentedHash !== presentedHash) return null
  if (policy.now - last.at > policy.reuseGraceSeconds * 1000) return null
  return last.sealedSecret
}

/** What a sign-in binds the session to, and the secret it hands out (hashed, and sealed). */
export interface SignInChange {
  account: AccountSubject
  merge: MergeReport | null
  presentedHash: string
  successor: Successor
  now: number
  idleTtlSeconds: number
}

/**
 * The session rebound to the account with a new secret. Across a privilege change (anonymous to
 * account) every old secret is retired, refused as `superseded` rather than treated as theft; a
 * re-login to the same account keeps the presented secret as the previous one, with its grace.
 */
export function signInRecord(record: SessionRecord, change: SignInChange): SessionRecord {
  const { presentedHash, successor, now } = change
  const privilegeChange = record.isAnonymous
  const live = isCurrent(record, presentedHash) || presentedHash === record.previousHash
  const keptAsPrevious = privilegeChange || !live ? null : presentedHash
  const retired = [record.currentHash, record.previousHash, ...record.firstHashes].filter(
    (h): h is string => h !== null && h !== keptAsPrevious,
  )
  return {
    ...record,
    userId: change.account.userId,
    isAnonymous: false,
    role: change.account.role,
    email: change.account.email,
    userCreatedAt: change.account.userCreatedAt,
    currentHash: successor.hash,
    previousHash: keptAsPrevious,
    currentSealedByPrevious: keptAsPrevious ? successor.sealed : null,
    firstHashes: [],
    lastSignIn: { presentedHash, sealedSecret: successor.sealed, at: now },
    retiredHashes: [...record.retiredHashes, ...retired].slice(-MAX_RETIRED_HASHES),
    retiredAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + change.idleTtlSeconds * 1000,
    authenticatedAt: now,
    merge: change.merge,
  }
}

/**
 * After a session that ever was anonymous ends: a tombstone (no user id, no secret) until its
 * first secret and its last anonymous access token have expired, so neither can materialise the
 * session again. Null when nothing could revive this session.
 */
export function tombstoneFor(
  record: SessionRecord,
  now: number,
  accessLifetimeMs: number,
): Tombstone | null {
  const everAnonymous = record.isAnonymous || record.issuedUntil !== null || record.merge !== null
  if (!everAnonymous) return null
  return { until: Math.max(record.issuedUntil ?? 0, now + accessLifetimeMs) }
}

/**
 * What the alarm does: wait for `at`, end the live session, or clear what is left (a spent
 * tombstone, or the challenges of a session that was only issued).
 */
export type AlarmDecision =
  { kind: 'wait'; at: number } | { kind: 'expire'; record: SessionRecord } | { kind: 'clear' }

export function decideAlarm(
  record: SessionRecord | undefined,
  tombstone: Tombstone | undefined,
  now: number,
): AlarmDecision {
  if (record && now >= expiresAt(record)) return { kind: 'expire', record }
  if (record) return { kind: 'wait', at: expiresAt(record) }
  // No record and no tombstone: what is left, if anything, is an issued session's challenges.
  if (!tombstone) return { kind: 'clear' }
  return now < tombstone.until ? { kind: 'wait', at: tombstone.until } : { kind: 'clear' }
}

/** `list` with `hash` appended (when there is one), keeping the newest `max`. */
function remember(list: string[], hash: string | null, max: number): string[] {
  return [...list, ...(hash === null ? [] : [hash])].slice(-max)
}
