/**
 * Materialising an issued session: D1's rows (the anonymous user's, then the session's index row
 * and `session.created` event, see `writeSessionStart`) in one batch, and the record its object
 * then stores. The object runs it under its lock, before it stores the record; an object evicted
 * between the two runs it again, so the user's row too is inserted only if absent.
 */
import type { Db } from '../platform/db/client'
import { readRevokedBefore } from '../platform/db/control'
import { users } from '../platform/db/schema'
import { sha256Base64Url } from '../platform/encoding'
import { rebuildIssuedSecrets, type IssuedSecretKeys } from '../platform/tokens/issued-refresh'
import {
  expiresAt,
  issuedLifetimeMs,
  startRecord,
  type IssuedSubject,
  type RequestOrigin,
  type SessionRecord,
} from './record'
import { writeSessionStart } from './session-start'

export interface MaterialiseInput {
  sessionId: string
  subject: IssuedSubject
  /** The first secret as presented; from an access token it is unknown. */
  presentedHash: string | null
  now: number
  idleTtlSeconds: number
  absoluteTtlSeconds: number
  /** The request it happens on; unknown to an old caller. */
  origin: RequestOrigin | undefined
}

const NO_ORIGIN: RequestOrigin = { userAgent: null, ip: null, country: null }

/**
 * The record of an issued session that may still materialise, once D1 holds its rows; null when
 * its first secret has expired or the kill switch came after its issue. Every form of the first
 * secret (one per master key) counts as current until the first rotation.
 */
export async function materialiseIssued(
  deps: { db: Db; issuedKeys: IssuedSecretKeys },
  input: MaterialiseInput,
): Promise<SessionRecord | null> {
  const { db } = deps
  const { sessionId, subject, now, idleTtlSeconds, absoluteTtlSeconds } = input
  const origin = input.origin ?? NO_ORIGIN
  const { userId, issuedAt } = subject
  const lifetime = issuedLifetimeMs(idleTtlSeconds, absoluteTtlSeconds)
  if (now >= issuedAt + lifetime) return null
  const [revokedBefore, firstSecrets] = await Promise.all([
    readRevokedBefore(db),
    rebuildIssuedSecrets(deps.issuedKeys, sessionId, subject),
  ])
  // The kill switch: a session issued before it never materialises.
  if (issuedAt < revokedBefore) return null
  const firstHashes = await Promise.all(firstSecrets.map((secret) => sha256Base64Url(secret)))
  const record = startRecord({
    ...{ sessionId, userId, isAnonymous: true, role: 'user', email: null },
    ...{ userCreatedAt: issuedAt, createdAt: issuedAt, now, idleTtlSeconds, absoluteTtlSeconds },
    ...{ userAgent: origin.userAgent, ip: origin.ip, authenticatedAt: null },
    currentHash: input.presentedHash ?? firstHashes[0]!,
    issued: { until: issuedAt + lifetime, firstHashes },
  })
  const expiry = { expiresAt: expiresAt(record), absoluteExpiresAt: record.absoluteExpiresAt }
  await writeMaterialisedSession(db, { sessionId, userId, issuedAt, now, ...expiry }, origin)
  return record
}

export interface MaterialisedSession {
  sessionId: string
  userId: string
  /** The session's (and its user's) creation: when it was issued, not when it came back. */
  issuedAt: number
  now: number
  expiresAt: number
  absoluteExpiresAt: number
}

/** D1's half: the rows are inserted only if absent, the event only with the session's row. */
export async function writeMaterialisedSession(
  db: Db,
  session: MaterialisedSession,
  meta: RequestOrigin,
): Promise<void> {
  const { sessionId, userId, issuedAt, now } = session
  const userRow = db
    .insert(users)
    .values({ id: userId, isAnonymous: true, role: 'user', createdAt: issuedAt, lastSeenAt: now })
    .onConflictDoNothing()
  await writeSessionStart(
    db,
    {
      sessionId,
      userId,
      createdAt: issuedAt,
      now,
      expiresAt: session.expiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      detail: { anonymous: true, issuedAt },
    },
    meta,
    userRow,
  )
}
