/**
 * SessionDO: one object per session id, the authority on that session's refresh token.
 *
 * Rotation reads and writes only this object's own storage, synchronously (SQLite-backed KV), so
 * nothing can interleave between checking a presented secret and storing its successor. Everything
 * that needs `await` (hashing, sealing) happens before that critical section or after it.
 * Refresh rotation follows RFC 9700 §4.14.2: a reused secret revokes the whole session.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  isIssuedSecret,
  openIssuedSecret,
  rebuildIssuedSecrets,
  type IssuedClaims,
  type IssuedSecretKeys,
} from '../src/platform/tokens/issued-refresh'
import { CLOCK_SKEW_SECONDS } from '../src/platform/tokens/access-token'
import { createRefreshSecret } from '../src/platform/tokens/refresh-token'
import { parseSettings, type Bindings, type Settings } from '../src/platform/config'
import type { Db } from '../src/platform/db/client'
import { readRevokedBefore } from '../src/platform/db/control'
import {
  accountSubject,
  claimMailbox,
  consumeMagicLink,
  findReplayableLink,
  findUserByEmail,
  mergeAnonymousUser,
} from '../src/identity'
import {
  SESSION_INDEX_LAG_MS,
  expiresAt,
  isCurrent,
  issuedLifetimeMs,
  issuedView,
  view,
  writeMaterialisedSession,
  type CreateSessionInput,
  type IssuedSubject,
  type ProofPolicy,
  type RefreshPolicy,
  type RefreshResult,
  type RememberedLink,
  type RequestOrigin,
  type ResolveInput,
  type SessionObjectApi,
  type SessionRecord,
  type SignInInput,
  type SignInResult,
  type Tombstone,
} from '../src/session'
import { fromBase64Url, sha256Base64Url } from '../src/platform/encoding'
import { mergeMovers } from '../src/user-data'
import { createBaseRuntime, type BaseRuntime } from '../src/platform/runtime-base'
import { deriveSealingKey, seal, unseal } from '../src/platform/crypto/sealing'
import type { ClaimedMailbox, SessionView } from '../src/platform/shared-types'

/**
 * D1's sessions row (last seen, expiry) is refreshed at most this often per session, so a burst
 * of refreshes costs one D1 write, not one each: D1 writes all go to one primary. Listing may show
 * a last-seen time up to this old; the sweep's expiry is 30 days out, so the lag is harmless.
 */
export const SESSION_INDEX_TOUCH_INTERVAL_MS = SESSION_INDEX_LAG_MS

const RECORD_KEY = 'session'
/** Kept after an issued session ends, until its first secret would have expired anyway. */
const TOMBSTONE_KEY = 'ended'
const SEAL_INFO = 'edge-session refresh seal v1'
const LINK_KEY_PREFIX = 'magic:'
/** Retired secrets kept per session: enough for every tab a person has open across sign-ins. */
const MAX_RETIRED_HASHES = 16
/**
 * Older issued secrets kept for reuse detection: a stolen token replayed after 32 rotations is
 * only refused, not detected, which bounds the record's size.
 */
const MAX_ISSUED_HASHES = 32

export class SessionDO extends DurableObject<Bindings> implements SessionObjectApi {
  /** Settings, D1 and the master keys, built on first use exactly as the Worker builds them. */
  private base: Promise<BaseRuntime> | undefined

  /** The object's runtime; a failed build (a bad setting) is retried on the next call. */
  private runtime(): Promise<BaseRuntime> {
    if (!this.base) {
      const built = createBaseRuntime(this.env)
      built.catch(() => (this.base = undefined))
      this.base = built
    }
    return this.base
  }

  /** The settings alone, parsed by the same function as the Worker's (synchronous, cached). */
  private parsedSettings: Settings | undefined
  private settings(): Settings {
    return (this.parsedSettings ??= parseSettings(this.env))
  }

  /** Starts the session; returns its first refresh secret. */
  async create(input: CreateSessionInput): Promise<{ secret: string; session: SessionView }> {
    const { now, idleTtlSeconds, absoluteTtlSeconds, authenticated, rememberLink, ...identity } =
      input
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
      retiredAt: null,
      authenticatedAt: authenticated ? now : null,
      merge: null,
    }
    this.write(record)
    if (rememberLink) this.rememberLink(rememberLink.tokenHash, rememberLink)
    await this.ctx.storage.setAlarm(expiresAt(record))
    return { secret, session: view(record) }
  }

  /**
   * Rotates the refresh secret. The previous secret presented within the grace window yields the
   * same current secret (five tabs refreshing at once all succeed); any other old secret is reuse.
   * The current secret is kept sealed under a key derived from the previous one, so only a holder
   * of the previous secret can recover it and storage still holds no usable secret.
   *
   * An issued session's first refresh materialises it first, under the lock: five tabs sending
   * the first secret at once queue there, one materialises, and the rest find the record and take
   * the grace rule like any other previous secret.
   */
  async refresh(presented: string, policy: RefreshPolicy): Promise<RefreshResult> {
    const presentedHash = await sha256Base64Url(presented)
    const nextSecret = createRefreshSecret()
    const rotation: Rotation = {
      presented,
      presentedHash,
      nextSecret,
      nextHash: await sha256Base64Url(nextSecret),
      nextSealed: await seal(await sealingKeyFor(presented), nextSecret),
    }
    if (this.read() || !isIssuedSecret(presented) || !policy.sessionId)
      return this.rotate(rotation, policy)
    const sessionId = policy.sessionId
    return this.locked(async () => {
      if (!this.read()) {
        const claims = await this.openFirstSecret(sessionId, presented)
        const made =
          claims &&
          (await this.materialise(sessionId, claims, presentedHash, {
            now: policy.now,
            idleTtlSeconds: policy.idleTtlSeconds,
            origin: policy.origin ?? NO_ORIGIN,
          }))
        if (!made) return { ok: false, reason: 'unknown', userId: null }
      }
      return this.rotate(rotation, policy)
    })
  }

  /** The rotation itself: synchronous storage only between reading the record and writing it. */
  private async rotate(rotation: Rotation, policy: RefreshPolicy): Promise<RefreshResult> {
    const { presented, presentedHash, nextSecret, nextHash, nextSealed } = rotation
    // Critical section: synchronous storage only, no await until the record is settled.
    // Comparing SHA-256 digests with === leaks nothing useful about the secret itself.
    const record = this.read()
    if (!record) return { ok: false, reason: 'unknown', userId: null }
    if (policy.now >= expiresAt(record)) {
      this.forget(record, policy.now)
      return { ok: false, reason: 'expired', userId: record.userId }
    }
    if (isCurrent(record, presentedHash)) {
      const touchIndex = policy.now - record.indexedAt >= SESSION_INDEX_TOUCH_INTERVAL_MS
      const { firstHashes: _first, ...rest } = record
      const rotated: SessionRecord = {
        ...rest,
        issuedHashes: remember(record.issuedHashes, record.previousHash, MAX_ISSUED_HASHES),
        previousHash: presentedHash,
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
      // Within the grace window another tab holds the sign-in's new secret, so the browser's jar
      // is already right; after it, the holder lost the sign-in's answer and must start afresh.
      const recent = policy.now - (record.retiredAt ?? 0) <= policy.reuseGraceSeconds * 1000
      return { ok: false, reason: recent ? 'superseded' : 'stale', userId: record.userId }
    }
    // Reuse is a secret this session handed out before; anything else is a guess at a session id
    // that everyone can read (it is in every token), and must not end the owner's session.
    const issuedBefore =
      presentedHash === record.previousHash || (record.issuedHashes ?? []).includes(presentedHash)
    if (!issuedBefore) return { ok: false, reason: 'unknown', userId: null }
    this.forget(record, policy.now)
    return { ok: false, reason: 'reused', userId: record.userId }
  }

  /**
   * The live session for an access token's subject, as `status` but aware of issued sessions:
   * with no record and no tombstone, an anonymous subject's session exists only in its tokens.
   * With `materialiseFrom` (a write is coming) such a session materialises, under the lock; else
   * it is answered from the token, as a brand-new session, and nothing is stored.
   */
  async resolve(sessionId: string, input: ResolveInput): Promise<SessionView | null> {
    const record = this.read()
    if (record) return input.now < expiresAt(record) ? view(record) : null
    if (this.tombstone()) return null
    const lifetime = this.issuedLifetime(input.idleTtlSeconds)
    if (input.now >= input.subject.issuedAt + lifetime) return null
    const origin = input.materialiseFrom
    if (!origin) return issuedView(sessionId, input.subject, lifetime)
    return this.locked(async () => {
      const made = await this.materialise(sessionId, input.subject, null, {
        now: input.now,
        idleTtlSeconds: input.idleTtlSeconds,
        origin,
      })
      return made && input.now < expiresAt(made) ? view(made) : null
    })
  }

  /**
   * Materialises an issued session: D1's user and session rows and the `session.created` event
   * in one batch, then this object's record. Call under the lock only: the batch awaits D1, which
   * does not hold the input gate. Exactly once: a session already here is returned as it is; a
   * tombstone (it ended), its first secret's expiry and the kill switch refuse. An object evicted
   * after the batch but before the record runs the (idempotent) batch again on the next try.
   *
   * `presentedHash` is the first secret as presented; from an access token it is unknown, and
   * every form of it (one per master key) counts as current until the first rotation.
   */
  private async materialise(
    sessionId: string,
    subject: IssuedSubject,
    presentedHash: string | null,
    at: { now: number; idleTtlSeconds: number; origin: RequestOrigin },
  ): Promise<SessionRecord | null> {
    const existing = this.read()
    if (existing) return existing
    if (this.tombstone()) return null
    const { now, idleTtlSeconds, origin } = at
    const lifetime = this.issuedLifetime(idleTtlSeconds)
    if (now >= subject.issuedAt + lifetime) return null
    // The object's own name, where the runtime gives it, must be the session id it was told.
    if (this.ctx.id.name !== undefined && this.ctx.id.name !== sessionId) return null
    const { db } = await this.runtime()
    const [revokedBefore, firstSecrets] = await Promise.all([
      readRevokedBefore(db),
      this.keys().then((keys) => rebuildIssuedSecrets(keys, sessionId, subject)),
    ])
    // The kill switch: a session issued before it never materialises.
    if (subject.issuedAt < revokedBefore) return null
    const firstHashes = await Promise.all(firstSecrets.map((secret) => sha256Base64Url(secret)))
    const absoluteTtl = this.settings().SESSION_ABSOLUTE_TTL
    const record: SessionRecord = {
      sessionId,
      userId: subject.userId,
      isAnonymous: true,
      role: 'user',
      email: null,
      userCreatedAt: subject.issuedAt,
      createdAt: subject.issuedAt,
      lastSeenAt: now,
      idleExpiresAt: now + idleTtlSeconds * 1000,
      absoluteExpiresAt: subject.issuedAt + absoluteTtl * 1000,
      userAgent: origin.userAgent,
      ip: origin.ip,
      currentHash: presentedHash ?? firstHashes[0]!,
      previousHash: null,
      currentSealedByPrevious: null,
      indexedAt: now,
      retiredHashes: [],
      retiredAt: null,
      authenticatedAt: null,
      merge: null,
      issuedUntil: subject.issuedAt + lifetime,
      firstHashes,
    }
    await writeMaterialisedSession(
      db,
      {
        sessionId,
        userId: subject.userId,
        issuedAt: subject.issuedAt,
        now,
        expiresAt: expiresAt(record),
        absoluteExpiresAt: record.absoluteExpiresAt,
      },
      origin,
    )
    // Everything that ends a session takes the lock too, so nothing changed while D1 answered.
    this.write(record)
    await this.ctx.storage.setAlarm(expiresAt(record))
    return record
  }

  /** The claims of this session's self-certifying first secret, or null when it is not one. */
  private async openFirstSecret(sessionId: string, secret: string): Promise<IssuedClaims | null> {
    return openIssuedSecret(await this.keys(), sessionId, secret)
  }

  private async keys(): Promise<IssuedSecretKeys> {
    return (await this.runtime()).issuedKeys
  }

  /** How long a first secret lives: as long as a session started at its issue would. */
  private issuedLifetime(idleTtlSeconds: number): number {
    return issuedLifetimeMs(idleTtlSeconds, this.settings().SESSION_ABSOLUTE_TTL)
  }

  private tombstone(): Tombstone | undefined {
    return this.ctx.storage.kv.get<Tombstone>(TOMBSTONE_KEY)
  }

  /**
   * Signs this session into an account: merges the anonymous user (once), rebinds the session and
   * rotates its secret. Only a request that presents this session's refresh secret (current, or
   * the previous one within the grace window) may do it: an access token proves less. Runs under
   * the object's lock, because it awaits D1: concurrent sign-ins from one browser queue here and
   * the later ones see the first one's result.
   *
   * Across a privilege change (anonymous to account) old secrets get no grace and are refused as
   * `superseded`, not treated as theft, so a tab that raced the sign-in does not end the session.
   * A re-login to the same account keeps the grace rule: the presented secret yields the new one.
   */
  signIn(input: SignInInput): Promise<SignInResult> {
    return this.locked(async () => {
      const { db, userKeys, events, settings } = await this.runtime()
      const presentedHash = await sha256Base64Url(input.presented)
      // A sign-in from an issued session materialises it first (the merge needs its user row).
      const before = this.read() ?? (await this.materialiseForSignIn(input, presentedHash))
      if (!before || !proves(before, presentedHash, input)) return { ok: false, reason: 'unproven' }
      const resolved = await this.resolveAccount(db, before.sessionId, input, settings.ADMIN_EMAILS)
      if (!resolved) return { ok: false, reason: 'invalid_link' }
      const { account } = resolved
      if (!before.isAnonymous && before.userId !== account.userId)
        return { ok: false, reason: 'other_account', ...resolved }
      const repeated = await this.repeatOfLastSignIn(before, presentedHash, input)
      if (repeated !== null)
        return {
          ok: true,
          secret: repeated,
          session: view(before),
          merge: before.merge,
          mergedNow: false,
          ...resolved,
        }

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
            quotas: input.quotas,
            userKeys,
            // issue-14: `user.merged` for other Workers, published after the merge commits.
            events,
          },
          mergeMovers,
        )
        merge = result.report
        mergedNow = result.performed
      }
      // Read again: a refresh may have rotated the secret while the merge awaited D1.
      const record = this.read()
      if (!record) return { ok: false, reason: 'unproven' }
      const secret = createRefreshSecret()
      const privilegeChange = record.isAnonymous
      // Every secret of the session except the one that carries the grace is retired.
      const live = isCurrent(record, presentedHash) || presentedHash === record.previousHash
      const keptAsPrevious = privilegeChange || !live ? null : presentedHash
      const retired = [
        record.currentHash,
        record.previousHash,
        ...(record.firstHashes ?? []),
      ].filter((h): h is string => h !== null && h !== keptAsPrevious)
      const sealedForPresenter = await seal(await sealingKeyFor(input.presented), secret)
      const { firstHashes: _first, ...rest } = record
      const next: SessionRecord = {
        ...rest,
        userId: account.userId,
        isAnonymous: false,
        role: account.role,
        email: account.email,
        userCreatedAt: account.userCreatedAt,
        currentHash: await sha256Base64Url(secret),
        previousHash: keptAsPrevious,
        currentSealedByPrevious: keptAsPrevious ? sealedForPresenter : null,
        lastSignIn: { presentedHash, sealedSecret: sealedForPresenter, at: input.now },
        retiredHashes: [...record.retiredHashes, ...retired].slice(-MAX_RETIRED_HASHES),
        retiredAt: input.now,
        lastSeenAt: input.now,
        idleExpiresAt: input.now + input.idleTtlSeconds * 1000,
        authenticatedAt: input.now,
        merge,
      }
      this.write(next)
      await this.ctx.storage.setAlarm(expiresAt(next))
      return { ok: true, secret, session: view(next), merge, mergedNow, ...resolved }
    })
  }

  /** The secret the last sign-in handed out, when this is that same request again within grace. */
  private async repeatOfLastSignIn(
    record: SessionRecord,
    presentedHash: string,
    input: SignInInput,
  ): Promise<string | null> {
    const last = record.lastSignIn
    if (!last || last.presentedHash !== presentedHash) return null
    if (input.now - last.at > input.reuseGraceSeconds * 1000) return null
    return unseal(await sealingKeyFor(input.presented), last.sealedSecret)
  }

  /**
   * Whether `presented` is this live session's secret, without rotating it: how a link request
   * proves which session asked for it (a session id alone is not a secret).
   */
  async holds(presented: string, policy: ProofPolicy): Promise<boolean> {
    const record = this.read()
    if (record) return proves(record, await sha256Base64Url(presented), policy)
    // An issued session holds its first secret without storing anything: asking for a link
    // proves the session and materialises nothing (the link's verification will).
    if (!policy.sessionId || this.tombstone()) return false
    const claims = await this.openFirstSecret(policy.sessionId, presented)
    if (!claims || claims.issuedAt < policy.revokedBefore) return false
    return policy.now < claims.issuedAt + this.issuedLifetime(this.settings().SESSION_IDLE_TTL)
  }

  /** `signIn`'s materialisation from the presented first secret; under the lock already. */
  private async materialiseForSignIn(
    input: SignInInput,
    presentedHash: string,
  ): Promise<SessionRecord | undefined> {
    if (!input.sessionId || !isIssuedSecret(input.presented)) return undefined
    const claims = await this.openFirstSecret(input.sessionId, input.presented)
    if (!claims) return undefined
    const made = await this.materialise(input.sessionId, claims, presentedHash, {
      now: input.now,
      idleTtlSeconds: input.idleTtlSeconds,
      origin: input.origin ?? NO_ORIGIN,
    })
    return made ?? undefined
  }

  /** The live session, or null: the `fresh` check that sees revocation at once. */
  status(now: number): SessionView | null {
    const record = this.read()
    if (!record || now >= expiresAt(record)) return null
    return view(record)
  }

  /**
   * Ends the session and forgets everything it kept (secrets, remembered links); returns the user
   * it belonged to, if it was live.
   */
  revoke(): Promise<string | null> {
    // Under the lock: a materialisation awaiting D1 must not store its record after this.
    return this.locked(async () => {
      const record = this.read()
      // Key by key rather than deleteAll(): an object that never stored anything (the sweep ends
      // thousands of those) costs no more than a read.
      for (const [key] of [...this.ctx.storage.kv.list()]) this.ctx.storage.kv.delete(key)
      const tombstone = record && this.leaveTombstone(record, Date.now())
      if (tombstone) await this.ctx.storage.setAlarm(tombstone.until)
      else await this.ctx.storage.deleteAlarm()
      return record?.userId ?? null
    })
  }

  /** Idle expiry: the alarm deletes the session's storage once it has expired. */
  override async alarm(): Promise<void> {
    const record = this.read()
    const now = Date.now()
    if (!record) {
      const tombstone = this.tombstone()
      if (tombstone && now < tombstone.until) await this.ctx.storage.setAlarm(tombstone.until)
      else if (tombstone) await this.ctx.storage.deleteAll()
      return
    }
    if (now >= expiresAt(record)) {
      await this.ctx.storage.deleteAll()
      const tombstone = this.leaveTombstone(record, now)
      if (tombstone) await this.ctx.storage.setAlarm(tombstone.until)
    } else {
      await this.ctx.storage.setAlarm(expiresAt(record))
    }
  }

  /**
   * After a session that ever was anonymous ends: a tombstone (no user id, no secret) until its
   * first secret and its last anonymous access token have expired, so neither can materialise
   * the session again. Returns it, or null when nothing could revive this session.
   */
  private leaveTombstone(record: SessionRecord, now: number): Tombstone | null {
    const everAnonymous =
      record.isAnonymous || record.issuedUntil !== undefined || record.merge !== null
    if (!everAnonymous) return null
    const until = Math.max(
      record.issuedUntil ?? 0,
      now + (this.settings().ACCESS_TTL + CLOCK_SKEW_SECONDS) * 1000,
    )
    const tombstone = { until }
    this.ctx.storage.kv.put<Tombstone>(TOMBSTONE_KEY, tombstone)
    return tombstone
  }

  /**
   * The account a sign-in targets. A magic link is consumed in D1 (one winner across all
   * sessions) and remembered here until it expires, so a second click from this browser gets the
   * same success; the repeat is checked against D1, so it dies with logout-all, a password change,
   * an erase (the row goes) or the kill switch.
   */
  private async resolveAccount(
    db: Db,
    sessionId: string,
    input: SignInInput,
    adminEmails: readonly string[],
  ): Promise<ClaimedMailbox | null> {
    const { target, now, revokedBefore } = input
    if (target.kind === 'account')
      return { account: target.account, droppedCredentials: target.droppedCredentials }
    const key = LINK_KEY_PREFIX + target.tokenHash
    const remembered = this.ctx.storage.kv.get<RememberedLink>(key)
    if (remembered) {
      const email =
        now < remembered.expiresAt
          ? await findReplayableLink(db, target.tokenHash, sessionId, now, revokedBefore)
          : undefined
      const row = email ? await findUserByEmail(db, email) : undefined
      if (row) return { account: accountSubject(row), droppedCredentials: false }
      this.ctx.storage.kv.delete(key)
      return null
    }
    const link = await consumeMagicLink(db, target.tokenHash, {
      purpose: 'sign_in',
      sessionId,
      now,
      revokedBefore,
    })
    if (!link) return null
    this.rememberLink(target.tokenHash, link)
    return claimMailbox(db, link.email, adminEmails, now)
  }

  private rememberLink(tokenHash: string, link: RememberedLink): void {
    this.ctx.storage.kv.put<RememberedLink>(LINK_KEY_PREFIX + tokenHash, {
      expiresAt: link.expiresAt,
    })
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

  /** Drops the record (reuse, expiry); an issued session's first secret stays dead. */
  private forget(record: SessionRecord, now: number): void {
    this.ctx.storage.kv.delete(RECORD_KEY)
    this.leaveTombstone(record, now)
  }
}

/**
 * Whether the request presented this live session's secret: the current one, the previous one
 * within the grace window, or one a sign-in retired within that window (the same browser asking
 * twice, as a double click does, gets the same success rather than an error).
 */
function proves(record: SessionRecord, presentedHash: string, policy: ProofPolicy): boolean {
  if (policy.now >= expiresAt(record) || record.createdAt < policy.revokedBefore) return false
  if (isCurrent(record, presentedHash)) return true
  const grace = policy.reuseGraceSeconds * 1000
  if (presentedHash === record.previousHash) return policy.now - record.lastSeenAt <= grace
  return (
    record.retiredHashes.includes(presentedHash) && policy.now - (record.retiredAt ?? 0) <= grace
  )
}

/** `list` with `hash` appended (when there is one), keeping the newest `max`. */
function remember(list: string[] | undefined, hash: string | null, max: number): string[] {
  return [...(list ?? []), ...(hash === null ? [] : [hash])].slice(-max)
}

/** What one refresh hands to `rotate`: the presented secret and its successor, prepared. */
interface Rotation {
  presented: string
  presentedHash: string
  nextSecret: string
  nextHash: string
  nextSealed: string
}

/** Where a materialisation came from when the caller did not say (a test, an old caller). */
const NO_ORIGIN: RequestOrigin = { userAgent: null, ip: null, country: null }

function sealingKeyFor(secret: string): Promise<CryptoKey> {
  const material = fromBase64Url(secret)
  if (!material) throw new Error('refresh secret is not base64url')
  return deriveSealingKey(material, SEAL_INFO)
}
