/**
 * SessionDO: one object per session id, the authority on that session's refresh token.
 *
 * Rotation reads and writes only this object's own storage, synchronously (SQLite-backed KV), so
 * nothing can interleave between checking a presented secret and storing its successor. Everything
 * that needs `await` (hashing, sealing) happens before that critical section or after it.
 * Refresh rotation follows RFC 9700 §4.14.2: a reused secret revokes the whole session.
 */
import { DurableObject } from 'cloudflare:workers'
import { createRefreshSecret } from '../src/auth/refresh-token'
import type { Env } from '../src/config'
import { createDb } from '../src/db/client'
import { consumeMagicLink } from '../src/db/magic-links'
import { fromBase64Url, sha256Base64Url } from '../src/encoding'
import { findOrCreateAccount, roleForEmail, type AccountSubject } from '../src/services/accounts'
import { mergeAnonymousUser } from '../src/services/merge'
import { mergeMovers } from '../src/services/merge-movers'
import { createUserKeys } from '../src/services/user-keys'
import { deriveSealingKey, seal, unseal } from '../src/services/sealing'
import {
  expiresAt,
  view,
  type CreateSessionInput,
  type RefreshPolicy,
  type RefreshResult,
  type SessionRecord,
  type SessionView,
  type SignInInput,
  type SignInResult,
} from './session-record'

export type * from './session-record'

/**
 * D1's sessions row (last seen, expiry) is refreshed at most this often per session, so a burst
 * of refreshes costs one D1 write, not one each: D1 writes all go to one primary. Listing may show
 * a last-seen time up to this old; the sweep's expiry is 30 days out, so the lag is harmless.
 */
export const SESSION_INDEX_TOUCH_INTERVAL_MS = 60_000

const RECORD_KEY = 'session'
const SEAL_INFO = 'edge-session refresh seal v1'

export class SessionDO extends DurableObject<Env> {
  /** Starts the session; returns its first refresh secret. */
  async create(input: CreateSessionInput): Promise<{ secret: string; session: SessionView }> {
    const { now, idleTtlSeconds, absoluteTtlSeconds, ...identity } = input
    const secret = createRefreshSecret()
    const record: SessionRecord = {
      ...identity,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + idleTtlSeconds * 1000,
      absoluteExpiresAt: now + absoluteTtlSeconds * 1000,
      currentHash: await sha256Base64Url(secret),
      previousHash: null,
      currentSealedByPrevious: null,
      indexedAt: now,
      retiredHashes: [],
      merge: null,
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
    // Comparing SHA-256 digests with === leaks nothing useful about the secret itself.
    const record = this.read()
    if (!record) return { ok: false, reason: 'unknown', userId: null }
    if (policy.now >= expiresAt(record)) {
      this.forget()
      return { ok: false, reason: 'expired', userId: record.userId }
    }
    if (presentedHash === record.currentHash) {
      const touchIndex = policy.now - record.indexedAt >= SESSION_INDEX_TOUCH_INTERVAL_MS
      const rotated: SessionRecord = {
        ...record,
        previousHash: record.currentHash,
        currentHash: nextHash,
        currentSealedByPrevious: nextSealed,
        lastSeenAt: policy.now,
        idleExpiresAt: policy.now + policy.idleTtlSeconds * 1000,
        indexedAt: touchIndex ? policy.now : record.indexedAt,
      }
      this.write(rotated)
      await this.ctx.storage.setAlarm(expiresAt(rotated))
      return { ok: true, secret: nextSecret, session: view(rotated), touchIndex }
    }
    const withinGrace = policy.now - record.lastSeenAt <= policy.reuseGraceSeconds * 1000
    if (presentedHash === record.previousHash && withinGrace && record.currentSealedByPrevious) {
      const secret = await unseal(await sealingKeyFor(presented), record.currentSealedByPrevious)
      return { ok: true, secret, session: view(record), touchIndex: false }
    }
    if (record.retiredHashes.includes(presentedHash)) {
      return { ok: false, reason: 'superseded', userId: record.userId }
    }
    this.forget()
    return { ok: false, reason: 'reused', userId: record.userId }
  }

  /**
   * Signs this session into an account: merges the anonymous user (once), rebinds the session and
   * rotates its secret. Runs under the object's lock, because it awaits D1: concurrent sign-ins
   * from one browser queue here and the later ones see the first one's result. Secrets from
   * before the sign-in get no grace (a privilege change); presenting them is refused as
   * `superseded` rather than as theft, so a tab that raced the sign-in does not end the session.
   */
  signIn(input: SignInInput): Promise<SignInResult> {
    return this.locked(async () => {
      const db = createDb(this.env.DB)
      const before = this.read()
      if (!before || input.now >= expiresAt(before)) return { ok: false, reason: 'unknown' }
      const account = await this.resolveAccount(db, before.sessionId, input)
      if (!account) return { ok: false, reason: 'invalid_link' }
      if (!before.isAnonymous && before.userId !== account.userId)
        return { ok: false, reason: 'other_account', account }

      let merge = before.merge
      let mergedNow = false
      if (before.isAnonymous) {
        const result = await mergeAnonymousUser(
          db,
          {
            from: before.userId,
            into: account.userId,
            sessionId: before.sessionId,
            now: input.now,
            userKeys: createUserKeys(this.env.ENCRYPTION_KEY ?? ''),
            // issue-14: `user.merged` for other Workers, published after the merge commits.
            events: this.env.SESSION_EVENTS,
          },
          mergeMovers,
        )
        merge = result.report
        mergedNow = result.performed
      }
      // Read again: a refresh may have rotated the secret while the merge awaited D1.
      const record = this.read()
      if (!record) return { ok: false, reason: 'unknown' }
      const secret = createRefreshSecret()
      const privilegeChange = record.isAnonymous
      const next: SessionRecord = {
        ...record,
        userId: account.userId,
        isAnonymous: false,
        role: account.role,
        email: account.email,
        userCreatedAt: account.userCreatedAt,
        currentHash: await sha256Base64Url(secret),
        previousHash: privilegeChange ? null : record.currentHash,
        currentSealedByPrevious: null,
        retiredHashes: privilegeChange
          ? [record.currentHash, record.previousHash].filter((h): h is string => h !== null)
          : record.retiredHashes,
        lastSeenAt: input.now,
        idleExpiresAt: input.now + input.idleTtlSeconds * 1000,
        merge,
      }
      this.write(next)
      await this.ctx.storage.setAlarm(expiresAt(next))
      return { ok: true, secret, session: view(next), merge, mergedNow, account }
    })
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

  /**
   * The account a sign-in targets. A magic link is consumed in D1 (one winner across all
   * sessions) and remembered here, so a second click from this browser gets the same success.
   */
  private async resolveAccount(
    db: ReturnType<typeof createDb>,
    sessionId: string,
    input: SignInInput,
  ): Promise<AccountSubject | null> {
    const { target, now } = input
    if (target.kind === 'account') return target.account
    const key = `magic:${target.tokenHash}`
    const remembered = this.ctx.storage.kv.get<AccountSubject>(key)
    if (remembered) return remembered
    const email = await consumeMagicLink(db, target.tokenHash, sessionId, now)
    if (!email) return null
    const account = await findOrCreateAccount(
      db,
      email,
      roleForEmail(target.adminEmails, email),
      now,
    )
    this.ctx.storage.kv.put(key, account)
    return account
  }

  private lock: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every task queued before it: an in-object mutex across awaits. */
  private locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task)
    this.lock = run.catch(() => undefined)
    return run
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

function sealingKeyFor(secret: string): Promise<CryptoKey> {
  const material = fromBase64Url(secret)
  if (!material) throw new Error('refresh secret is not base64url')
  return deriveSealingKey(material, SEAL_INFO)
}
