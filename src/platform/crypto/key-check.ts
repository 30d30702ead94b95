/**
 * What is sealed under which master key, and the start-up check that every stored value can still
 * be opened with the configured keys. A service started without a key its data needs answers 503
 * `misconfigured` naming the key id and how many values need it, instead of failing one user's
 * read (or every token, when the signing keys are the values) with a 500 later.
 */
import { SettingsError } from '../config'
import type { Db } from '../db/client'
import { readCheckedKeyIds, writeCheckedKeyIds } from '../db/control'
import { countSealedValues, findUnlabelledValue, SEALED_COLUMNS } from './sealed-values'
import { createIsolateCache } from '../isolate-cache'
import { masterSealingKeys, type Keyring } from './keyring'
import { openValue } from './sealing'
import type { UserKeys } from './user-keys'

/** How many stored values each key id seals. */
export interface SealedInventory {
  currentKeyId: string
  previousKeyIds: string[]
  /** Every configured key id (zero when it seals nothing) and every other id that seals a value. */
  byKeyId: Record<string, number>
  /** Values from before key ids, attributed to the oldest configured key until re-sealed. */
  unlabelled: number
}

export async function readSealedInventory(db: Db, keyring: Keyring): Promise<SealedInventory> {
  const byKeyId: Record<string, number> = { [keyring.current.id]: 0 }
  for (const key of keyring.previous) byKeyId[key.id] = 0
  let unlabelled = 0
  for (const { keyId, n } of await countSealedValues(db)) {
    if (keyId === null) unlabelled += n
    else byKeyId[keyId] = n
  }
  return {
    currentKeyId: keyring.current.id,
    previousKeyIds: keyring.previous.map((key) => key.id),
    byKeyId,
    unlabelled,
  }
}

export type KeyCheckResult = { ok: true } | { ok: false; problem: string }

/**
 * Counts the stored values per key id (one D1 statement) and, if any predate key ids, opens one of
 * them with the key they are attributed to: that proves the attribution for all of them, since
 * they were all sealed by the one key the service had then.
 *
 * The count reads every sealed value, so it runs once per key configuration, not per isolate: a
 * value is only ever sealed under the current key of a running deployment, so keys that opened
 * everything once keep doing so while they stay configured. The ids that passed are kept in D1's
 * control table (ids, never keys); any change to the keys (each rotation step) is checked in full.
 */
export async function checkKeyring(
  db: Db,
  keyring: Keyring,
  userKeys: UserKeys,
  now = Date.now(),
): Promise<KeyCheckResult> {
  const configured = [keyring.current, ...keyring.previous].map((key) => key.id).join(',')
  if ((await readCheckedKeyIds(db)) === configured) return { ok: true }
  const inventory = await readSealedInventory(db, keyring)
  const problems = Object.entries(inventory.byKeyId)
    .filter(([keyId, n]) => n > 0 && !keyring.byId(keyId))
    .map(
      ([keyId, n]) =>
        `${n} stored values are sealed under key id ${keyId}, which is not configured`,
    )
  if (inventory.unlabelled > 0 && !(await opensUnlabelled(db, keyring, userKeys)))
    problems.push(
      `${inventory.unlabelled} stored values from before key ids do not open with the oldest configured key (id ${keyring.legacyId})`,
    )
  if (problems.length === 0) {
    await writeCheckedKeyIds(db, configured, now)
    return { ok: true }
  }
  return {
    ok: false,
    problem: `Invalid settings: ENCRYPTION_KEY_PREVIOUS lacks a key still in use: ${problems.join('; ')}. Put the key back (oldest last) until a sweep has re-sealed everything under ENCRYPTION_KEY.`,
  }
}

async function opensUnlabelled(db: Db, keyring: Keyring, userKeys: UserKeys): Promise<boolean> {
  for (const sealed of SEALED_COLUMNS) {
    const row = await findUnlabelledValue(db, sealed)
    if (!row) continue
    const keys = row.userId === null ? masterSealingKeys(keyring) : userKeys(row.userId)
    const slot = { kind: sealed.kind, owner: row.userId ?? '', name: row.name }
    return openValue(keys, row.sealed, slot).then(
      () => true,
      () => false,
    )
  }
  return true
}

/** How long a failed check stands before it is run again (a deploy or a sweep may have fixed it). */
export const KEY_CHECK_RETRY_MS = 30_000

/**
 * The check, per isolate: while it fails it is re-run at most once every `KEY_CHECK_RETRY_MS`
 * (every request in between gets the cached answer); once it passes it is never run again, since
 * from then on everything is sealed under a configured key. Throws a `SettingsError`, which the
 * entry answers with 503 `misconfigured`.
 */
export function createKeyCheck(run: () => Promise<KeyCheckResult>): () => Promise<void> {
  const cache = createIsolateCache(run, KEY_CHECK_RETRY_MS)
  let passed = false
  return async () => {
    if (passed) return
    const result = await cache.get()
    if (!result.ok) throw new SettingsError(result.problem)
    passed = true
  }
}
