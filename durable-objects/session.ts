/**
 * SessionDO: one object per session id, the authority on its refresh token. It keeps the lock, the
 * storage, the alarm and the RPC surface; src/session/ decides every rule it applies, src/identity/
 * finds every account it signs into. Internals are `#private`, out of reach over RPC. Rotation
 * touches only this object's synchronous storage between checking a secret and storing its
 * successor; hashing and sealing happen before or after that critical section.
 */
import { isIssuedSecret } from '../src/platform/tokens/issued-refresh'
import { createRefreshSecret } from '../src/platform/tokens/refresh-token'
import { unreachable } from '../src/platform/errors'
import { sha256Base64Url } from '../src/platform/encoding'
import type { SessionView } from '../src/platform/shared-types'
import {
  mergeSessionUser,
  resolveSignInAccount,
  signInStepContext,
  type SignInStepContext,
} from '../src/identity'
import {
  ChallengeKeeper,
  ObjectRuntime,
  SESSION_INDEX_LAG_MS,
  SessionStorage,
  decideAlarm,
  decideRefresh,
  expiresAt,
  issuedView,
  materialiseIssued,
  proves,
  repeatedSignIn,
  signInRecord,
  startRecord,
  successorFor,
  unsealFor,
  view,
  type CreateSessionInput,
  type IssuedSubject,
  type ProofPolicy,
  type RefreshPolicy,
  type RefreshResult,
  type ResolveInput,
  type SessionObjectApi,
  type SessionRecord,
  type SignInInput,
  type SignInResult,
  type PreparedRotation,
  type Tombstone,
} from '../src/session'

const UNKNOWN: RefreshResult = { ok: false, reason: 'unknown', userId: null }

export class SessionDO extends ChallengeKeeper implements SessionObjectApi {
  readonly #store = new SessionStorage(this.ctx.storage.kv)
  /** Settings, D1 and the master keys, built on first use exactly as the Worker builds them. */
  readonly #runtime = new ObjectRuntime(this.env)
  #lock: Promise<unknown> = Promise.resolve()

  /** Starts the session; returns its first refresh secret. */
  async create(input: CreateSessionInput): Promise<{ secret: string; session: SessionView }> {
    const { now, authenticated, rememberLink } = input
    const secret = createRefreshSecret()
    const currentHash = await sha256Base64Url(secret)
    const authenticatedAt = authenticated ? now : null
    const record = startRecord({ ...input, createdAt: now, currentHash, authenticatedAt })
    this.#store.write(record)
    if (rememberLink) this.#store.rememberLink(rememberLink.tokenHash, rememberLink)
    await this.ctx.storage.setAlarm(expiresAt(record))
    return { secret, session: view(record) }
  }

  /**
   * Rotates the refresh secret (see `decideRefresh`). An issued session's first refresh
   * materialises it first, under the lock: five tabs sending the first secret at once queue there,
   * one materialises, and the rest find the record and take the grace rule.
   */
  async refresh(presented: string, policy: RefreshPolicy): Promise<RefreshResult> {
    const presentedHash = await sha256Base64Url(presented)
    const nextSecret = createRefreshSecret()
    const successor = await successorFor(presented, nextSecret)
    const rotate = () => this.#rotate({ presented, presentedHash, nextSecret, successor }, policy)
    if (this.#store.record() || !isIssuedSecret(presented) || !policy.sessionId) return rotate()
    return this.#locked(async () => {
      const made =
        this.#store.record() ??
        (await this.#materialiseFromSecret(presented, presentedHash, policy))
      return made ? rotate() : UNKNOWN
    })
  }

  async #rotate(prepared: PreparedRotation, policy: RefreshPolicy): Promise<RefreshResult> {
    const { presented, presentedHash, nextSecret, successor } = prepared
    // Critical section: synchronous storage only, no await until the record is settled.
    const record = this.#store.record()
    if (!record) return UNKNOWN
    const rules = { ...policy, indexIntervalMs: SESSION_INDEX_LAG_MS }
    const decision = decideRefresh(record, presentedHash, successor, rules)
    switch (decision.kind) {
      case 'rotated': {
        // No setAlarm: expiry only moves later, and an early alarm waits for it (`decideAlarm`).
        this.#store.write(decision.record)
        const { touchIndex } = decision
        return { ok: true, secret: nextSecret, session: view(decision.record), touchIndex }
      }
      case 'grace': {
        const secret = await unsealFor(presented, decision.sealed)
        return { ok: true, secret, session: view(record), touchIndex: false }
      }
      case 'expired':
      case 'reused':
        this.#end(record, policy.now)
        return { ok: false, reason: decision.kind, userId: record.userId }
      case 'superseded':
      case 'stale':
        return { ok: false, reason: decision.kind, userId: record.userId }
      case 'unknown':
        return UNKNOWN
      default:
        return unreachable(decision)
    }
  }

  /**
   * `status` aware of issued sessions (no record, no tombstone): with `materialiseFrom` (a write is
   * coming) one materialises under the lock; else it is answered from the token, storing nothing.
   */
  async resolve(sessionId: string, input: ResolveInput): Promise<SessionView | null> {
    const record = this.#store.record()
    if (record) return input.now < expiresAt(record) ? view(record) : null
    if (this.#store.tombstone()) return null
    const lifetime = this.#runtime.issuedLifetimeMs(input.idleTtlSeconds)
    if (input.now >= input.subject.issuedAt + lifetime) return null
    const origin = input.materialiseFrom
    if (!origin) return issuedView(sessionId, input.subject, lifetime)
    return this.#locked(async () => {
      const made = await this.#materialise(sessionId, input.subject, null, { ...input, origin })
      return made && input.now < expiresAt(made) ? view(made) : null
    })
  }

  /**
   * Signs this session in (unless the account asks for its second factor first): merges the
   * anonymous user once, rebinds and rotates (`signInRecord`). Needs the refresh secret. Under the
   * lock, as it awaits D1: concurrent sign-ins queue and the later ones see the first one's result.
   */
  signIn(input: SignInInput): Promise<SignInResult> {
    return this.#locked(async () => {
      const step = signInStepContext(await this.#runtime.get())
      const presentedHash = await sha256Base64Url(input.presented)
      // A sign-in from an issued session materialises it first (the merge needs its user row).
      const before =
        this.#store.record() ??
        (await this.#materialiseFromSecret(input.presented, presentedHash, input))
      if (!before || !proves(before, presentedHash, input)) return { ok: false, reason: 'unproven' }
      const found = await this.#resolveAccount(step, before.sessionId, input)
      const resolved = found.claimed
      if (!resolved) return { ok: false, reason: 'invalid_link' }
      if (found.secondFactorRequired)
        return { ok: false, reason: 'second_factor_required', ...resolved }
      const { account } = resolved
      if (!before.isAnonymous && before.userId !== account.userId)
        return { ok: false, reason: 'other_account', ...resolved }
      const repeated = repeatedSignIn(before, presentedHash, input)
      if (repeated !== null) {
        const secret = await unsealFor(input.presented, repeated)
        const { merge } = before
        return { ok: true, secret, session: view(before), merge, mergedNow: false, ...resolved }
      }
      const merged = before.isAnonymous
        ? await mergeSessionUser(step, before, account.userId, input)
        : null
      const merge = merged ? merged.report : before.merge
      const secret = createRefreshSecret()
      const successor = await successorFor(input.presented, secret)
      // Read again: a refresh may have rotated the secret while the merge awaited D1.
      const record = this.#store.record()
      if (!record) return { ok: false, reason: 'unproven' }
      const next = signInRecord(record, { ...input, account, merge, presentedHash, successor })
      this.#store.write(next)
      await this.ctx.storage.setAlarm(expiresAt(next))
      const mergedNow = merged?.performed ?? false
      return { ok: true, secret, session: view(next), merge, mergedNow, ...resolved }
    })
  }

  /** Whether `presented` is this live session's secret, rotating nothing: a link request's proof. */
  async holds(presented: string, policy: ProofPolicy): Promise<boolean> {
    const record = this.#store.record()
    if (record) return proves(record, await sha256Base64Url(presented), policy)
    // An issued session holds its first secret without storing anything: asking for a link
    // proves the session and materialises nothing (the link's verification will).
    if (!policy.sessionId || this.#store.tombstone()) return false
    const claims = await this.#runtime.openFirstSecret(policy.sessionId, presented)
    if (!claims || claims.issuedAt < policy.revokedBefore) return false
    return (
      policy.now <
      claims.issuedAt + this.#runtime.issuedLifetimeMs(this.#runtime.settings().SESSION_IDLE_TTL)
    )
  }

  /** The live session, or null: the `fresh` check that sees revocation at once. */
  status(now: number): SessionView | null {
    const record = this.#store.record()
    return record && now < expiresAt(record) ? view(record) : null
  }

  /** Ends the session and forgets all it kept; returns the user it belonged to, if it was live. */
  revoke(): Promise<string | null> {
    // Under the lock: a materialisation awaiting D1 must not store its record after this.
    return this.#locked(async () => {
      const record = this.#store.record()
      this.#store.clear()
      const tombstone = record && this.#end(record, Date.now())
      if (tombstone) await this.ctx.storage.setAlarm(tombstone.until)
      else await this.ctx.storage.deleteAlarm()
      return record?.userId ?? null
    })
  }

  /** Idle expiry: the alarm deletes the session's storage once it has expired. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    const decision = decideAlarm(this.#store.record(), this.#store.tombstone(), now)
    switch (decision.kind) {
      case 'wait':
        return this.ctx.storage.setAlarm(decision.at)
      case 'clear':
        return this.ctx.storage.deleteAll()
      case 'expire': {
        await this.ctx.storage.deleteAll()
        const tombstone = this.#end(decision.record, now)
        if (tombstone) await this.ctx.storage.setAlarm(tombstone.until)
        return
      }
      default:
        return unreachable(decision)
    }
  }

  /**
   * Materialises an issued session (see `materialiseIssued`), exactly once: under the lock only,
   * as D1 does not hold the input gate. A record already here is returned; a tombstone refuses.
   */
  async #materialise(
    sessionId: string,
    subject: IssuedSubject,
    presentedHash: string | null,
    at: Pick<RefreshPolicy, 'now' | 'idleTtlSeconds' | 'origin'>,
  ): Promise<SessionRecord | null> {
    const existing = this.#store.record()
    if (existing) return existing
    if (this.#store.tombstone()) return null
    // The object's own name, where the runtime gives it, must be the session id it was told.
    if (this.ctx.id.name !== undefined && this.ctx.id.name !== sessionId) return null
    const record = await materialiseIssued(await this.#runtime.get(), {
      ...{ sessionId, subject, presentedHash, now: at.now, idleTtlSeconds: at.idleTtlSeconds },
      absoluteTtlSeconds: this.#runtime.settings().SESSION_ABSOLUTE_TTL,
      origin: at.origin,
    })
    if (!record) return null
    // Everything that ends a session takes the lock too, so nothing changed while D1 answered.
    this.#store.write(record)
    await this.ctx.storage.setAlarm(expiresAt(record))
    return record
  }

  /** An issued session materialised from its presented first secret; under the lock already. */
  async #materialiseFromSecret(
    presented: string,
    presentedHash: string,
    at: Pick<RefreshPolicy, 'sessionId' | 'now' | 'idleTtlSeconds' | 'origin'>,
  ): Promise<SessionRecord | null> {
    if (!at.sessionId || !isIssuedSecret(presented)) return null
    const claims = await this.#runtime.openFirstSecret(at.sessionId, presented)
    return claims && this.#materialise(at.sessionId, claims, presentedHash, at)
  }

  /** The account a sign-in targets; a link consumed is remembered, for a second click. */
  async #resolveAccount(step: SignInStepContext, sessionId: string, input: SignInInput) {
    const { target, now, revokedBefore } = input
    const linkHash = target.kind === 'magic-link' ? target.tokenHash : null
    const remembered = linkHash === null ? undefined : this.#store.link(linkHash)
    const found = await resolveSignInAccount(step, {
      ...{ sessionId, target, now, revokedBefore, remembered },
    })
    if (linkHash !== null) this.#store.changeLink(linkHash, found.link)
    return found
  }

  /** Runs `task` after every task queued before it: an in-object mutex across awaits. */
  #locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task)
    this.#lock = run.catch(() => undefined)
    return run
  }

  /** Ends the session (reuse, expiry, revocation), leaving its tombstone while one is needed. */
  #end(record: SessionRecord, now: number): Tombstone | null {
    return this.#store.end(record, now, this.#runtime.accessLifetimeMs())
  }
}
