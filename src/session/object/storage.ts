/**
 * The session object's storage, key by key: its record (read through `upgradeRecord`, so every
 * stored version reads as the current one), the tombstone an ended issued session leaves, and the
 * sign-in links it consumed, the challenges it asked for. Synchronous (SQLite-backed KV): nothing here ever yields, so the
 * object's critical sections stay whole.
 */
import {
  upgradeRecord,
  type LinkChange,
  type RememberedLink,
  type SessionRecord,
  type StoredRecord,
  type Tombstone,
} from '../record'
import { tombstoneFor } from '../rotation'
import type { PendingChallenge } from './api'
import { unreachable } from '../../platform/errors'

const RECORD_KEY = 'session'
/** Kept after an issued session ends, until its first secret would have expired anyway. */
const TOMBSTONE_KEY = 'ended'
const LINK_KEY_PREFIX = 'magic:'
const CHALLENGE_KEY_PREFIX = 'challenge:'

export class SessionStorage {
  readonly #kv: SyncKvStorage

  constructor(kv: SyncKvStorage) {
    this.#kv = kv
  }

  record(): SessionRecord | undefined {
    const stored = this.#kv.get<StoredRecord>(RECORD_KEY)
    return stored && upgradeRecord(stored)
  }

  write(record: SessionRecord): void {
    this.#kv.put(RECORD_KEY, record)
  }

  tombstone(): Tombstone | undefined {
    return this.#kv.get<Tombstone>(TOMBSTONE_KEY)
  }

  /**
   * Drops the record and leaves the session's tombstone (see `tombstoneFor`), so an issued
   * session's first secret stays dead; returns the tombstone, or null when none was needed.
   */
  end(record: SessionRecord, now: number, accessLifetimeMs: number): Tombstone | null {
    this.#kv.delete(RECORD_KEY)
    const tombstone = tombstoneFor(record, now, accessLifetimeMs)
    if (tombstone) this.#kv.put<Tombstone>(TOMBSTONE_KEY, tombstone)
    return tombstone
  }

  /**
   * Forgets everything (secrets, remembered links, a tombstone). Key by key rather than
   * deleteAll(): an object that never stored anything (the sweep ends thousands) costs a read.
   */
  clear(): void {
    for (const [key] of [...this.#kv.list()]) this.#kv.delete(key)
  }

  /** What the session kept of a link it consumed, when it did. */
  link(tokenHash: string): RememberedLink | undefined {
    return this.#kv.get<RememberedLink>(LINK_KEY_PREFIX + tokenHash)
  }

  /** Keeps a consumed link's expiry (never its email) so a second click repeats the success. */
  rememberLink(tokenHash: string, link: RememberedLink): void {
    this.#kv.put<RememberedLink>(LINK_KEY_PREFIX + tokenHash, { expiresAt: link.expiresAt })
  }

  changeLink(tokenHash: string, change: LinkChange): void {
    switch (change.kind) {
      case 'remember':
        return this.rememberLink(tokenHash, change.link)
      case 'forget':
        this.#kv.delete(LINK_KEY_PREFIX + tokenHash)
        return
      case 'none':
        return
      default:
        return unreachable(change)
    }
  }

  /**
   * Keeps a challenge, replacing an earlier one of its purpose, and drops those past their expiry:
   * a provider flow has a key of its own, so a session's abandoned flows would otherwise stay.
   */
  putChallenge(challenge: PendingChallenge, now: number): void {
    for (const [key, kept] of this.#kv.list<PendingChallenge>({ prefix: CHALLENGE_KEY_PREFIX }))
      if (kept.expiresAt <= now) this.#kv.delete(key)
    this.#kv.put<PendingChallenge>(CHALLENGE_KEY_PREFIX + challenge.purpose, challenge)
  }

  /** The live challenge of `purpose`, left in place: null without one or when it has expired. */
  peekChallenge(purpose: string, now: number): PendingChallenge | null {
    const challenge = this.#kv.get<PendingChallenge>(CHALLENGE_KEY_PREFIX + purpose)
    return challenge && now < challenge.expiresAt ? challenge : null
  }

  /** Takes the challenge of `purpose` (single use, even when it has expired): null without one. */
  takeChallenge(purpose: string, now: number): PendingChallenge | null {
    const key = CHALLENGE_KEY_PREFIX + purpose
    const challenge = this.#kv.get<PendingChallenge>(key)
    if (!challenge) return null
    this.#kv.delete(key)
    return now < challenge.expiresAt ? challenge : null
  }
}
