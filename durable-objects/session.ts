/**
 * SessionDO: one object per session id, the authority on that session's refresh token.
 *
 * Rotation reads and writes only this object's own storage, synchronously (SQLite-backed KV), so
 * nothing can interleave between checking a presented secret and storing its successor. Everything
 * that needs `await` (hashing, sealing) happens before that critical section or after it.
 * Refresh rotation follows RFC 9700 §4.14.2: a reused secret revokes the whole session.
 */
import { DurableObject } from 'cloudflare:workers'
import { sha256Base64Url } from '../src/encoding'
import { createRefreshSecret } from '../src/auth/refresh-token'
import { deriveSealingKey, seal, unseal } from '../src/services/sealing'
import { fromBase64Url } from '../src/encoding'

/** Who the session belongs to; what the access token's claims are made from. */
export interface SessionSubject {
  userId: string
  isAnonymous: boolean
  role: string
  email: string | null
}

export interface SessionRecord extends SessionSubject {
  sessionId: string
  createdAt: number
  idleExpiresAt: number
  absoluteExpiresAt: number
  currentHash: string
  previousHash: string | null
  /** The current secret sealed under a key derived from the previous one; see `refresh`. */
  currentSealedByPrevious: string | null
  rotatedAt: number
}

export interface CreateSessionInput extends SessionSubject {
  sessionId: string
  now: number
  idleTtlSeconds: number
  absoluteTtlSeconds: number
}

export interface RefreshPolicy {
  now: number
  idleTtlSeconds: number
  reuseGraceSeconds: number
  /** Sessions created before this instant (the kill switch) are revoked on refresh. */
  revokedBefore: number
}

export type RefreshResult =
  | { ok: true; secret: string; session: SessionView; rotated: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'reused' | 'killed'; userId: string | null }

/** What the Worker needs of a live session: its subject and its clock. */
export interface SessionView extends SessionSubject {
  sessionId: string
  createdAt: number
  expiresAt: number
}

const RECORD_KEY = 'session'
const SEAL_INFO = 'edge-session refresh seal v1'

export class SessionDO extends DurableObject {
  /** Starts the session; returns its first refresh secret. */
  async create(input: CreateSessionInput): Promise<{ secret: string; session: SessionView }> {
    const secret = createRefreshSecret()
    const record: SessionRecord = {
      sessionId: input.sessionId,
      userId: input.userId,
      isAnonymous: input.isAnonymous,
      role: input.role,
      email: input.email,
      createdAt: input.now,
      idleExpiresAt: input.now + input.idleTtlSeconds * 1000,
      absoluteExpiresAt: input.now + input.absoluteTtlSeconds * 1000,
      currentHash: await sha256Base64Url(secret),
      previousHash: null,
      currentSealedByPrevious: null,
      rotatedAt: input.now,
    }
    this.write(record)
    await this.ctx.storage.setAlarm(expiresAt(record))
    return { secret, session: view(record) }
  }

  /**
   * Rotates the refresh secret. The previous secret presented within the grace window yields the
   * same current secret (five tabs refreshing at once all succeed); any other old secret is reuse.
   * The current secret is kept sealed under a key derived from the previous one, so only a holder
   * of the previous secret can recover it and storage still holds no usable secret.
   */
  async refresh(presented: string, policy: RefreshPolicy): Promise<RefreshResult> {
    const presentedHash = await sha256Base64Url(presented)
    const nextSecret = createRefreshSecret()
    const nextHash = await sha256Base64Url(nextSecret)
    const nextSealed = await seal(await sealingKeyFor(presented), nextSecret)

    // Critical section: synchronous storage only, no await until the record is settled.
    const record = this.read()
    if (!record) return { ok: false, reason: 'unknown', userId: null }
    if (policy.now >= expiresAt(record)) {
      this.forget()
      return { ok: false, reason: 'expired', userId: record.userId }
    }
    if (record.createdAt < policy.revokedBefore) {
      this.forget()
      return { ok: false, reason: 'killed', userId: record.userId }
    }
    if (presentedHash === record.currentHash) {
      const rotated: SessionRecord = {
        ...record,
        previousHash: record.currentHash,
        currentHash: nextHash,
        currentSealedByPrevious: nextSealed,
        rotatedAt: policy.now,
        idleExpiresAt: policy.now + policy.idleTtlSeconds * 1000,
      }
      this.write(rotated)
      await this.ctx.storage.setAlarm(expiresAt(rotated))
      return { ok: true, secret: nextSecret, session: view(rotated), rotated: true }
    }
    const withinGrace = policy.now - record.rotatedAt <= policy.reuseGraceSeconds * 1000
    if (presentedHash === record.previousHash && withinGrace && record.currentSealedByPrevious) {
      const secret = await unseal(await sealingKeyFor(presented), record.currentSealedByPrevious)
      return { ok: true, secret, session: view(record), rotated: false }
    }
    this.forget()
    return { ok: false, reason: 'reused', userId: record.userId }
  }

  /** The live session, or null: the `fresh` check that sees revocation at once. */
  status(now: number): SessionView | null {
    const record = this.read()
    if (!record || now >= expiresAt(record)) return null
    return view(record)
  }

  /** Ends the session and forgets its secrets; returns the user it belonged to, if it was live. */
  async revoke(): Promise<string | null> {
    const record = this.read()
    this.forget()
    await this.ctx.storage.deleteAlarm()
    return record?.userId ?? null
  }

  /** Idle expiry: the alarm deletes the session's storage once it has expired. */
  override async alarm(): Promise<void> {
    const record = this.read()
    if (!record) return
    if (Date.now() >= expiresAt(record)) {
      await this.ctx.storage.deleteAll()
    } else {
      await this.ctx.storage.setAlarm(expiresAt(record))
    }
  }

  private read(): SessionRecord | undefined {
    return this.ctx.storage.kv.get<SessionRecord>(RECORD_KEY)
  }

  private write(record: SessionRecord): void {
    this.ctx.storage.kv.put(RECORD_KEY, record)
  }

  private forget(): void {
    this.ctx.storage.kv.delete(RECORD_KEY)
  }
}

function expiresAt(record: SessionRecord): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt)
}

function view(record: SessionRecord): SessionView {
  return {
    sessionId: record.sessionId,
    userId: record.userId,
    isAnonymous: record.isAnonymous,
    role: record.role,
    email: record.email,
    createdAt: record.createdAt,
    expiresAt: expiresAt(record),
  }
}

function sealingKeyFor(secret: string): Promise<CryptoKey> {
  const material = fromBase64Url(secret)
  if (!material) throw new Error('refresh secret is not base64url')
  return deriveSealingKey(material, SEAL_INFO)
}
