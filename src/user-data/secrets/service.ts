/**
 * Secrets (API keys and the like): AES-GCM sealed under the user's own key, listed by name only,
 * each value opened on its own read. A merge re-seals moving values under the account's key.
 */
import { z } from '@hono/zod-openapi'
import type { BatchItem } from 'drizzle-orm/batch'
import {
  deleteSecret,
  deleteUserSecretsQuery,
  findSecret,
  insertSecretsQueries,
  listSecretNames,
  listSecretRows,
  upsertSecret,
  type SecretRow,
} from './queries'
import { AppError, notFound } from '../../platform/errors'
import type { BaseRuntime } from '../../platform/runtime-base'
import { utf8Text } from '../../platform/byte-limits'
import type { MergeMover } from '../mover'
import { quotaExceeded, quotaOf, type QuotaSettings } from '../quotas'
import { openValue, sealValue, secretSlot } from '../../platform/crypto/sealing'
import { refusal } from '../write-refusal'

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

/** The most a value may take, in UTF-8 bytes. */
export const SECRET_VALUE_MAX_BYTES = 4096

/** A secret's name, as it appears in the path. */
export const SecretNameSchema = z
  .string()
  .regex(SECRET_NAME_PATTERN, 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_", "." or "-"')

/** A secret's value: any text of at most 4 KiB in UTF-8 (413 past it). */
export const SecretValueSchema = utf8Text(SECRET_VALUE_MAX_BYTES)

/** What secrets need of the runtime: D1 and the per-user keys. */
export type SecretsRuntime = Pick<BaseRuntime, 'db' | 'userKeys'> & { settings: QuotaSettings }

/** A secret as listings show it: no value. Times in ms. */
export interface SecretSummary {
  name: string
  createdAt: number
  updatedAt: number
}

/** The user's secrets by name, without values. */
export function listSecrets(rt: SecretsRuntime, userId: string): Promise<SecretSummary[]> {
  return listSecretNames(rt.db, userId)
}

/** Seals `value` under the user's key and stores it under `name`, replacing any earlier value. */
export async function putSecret(
  rt: SecretsRuntime,
  userId: string,
  name: string,
  value: string,
  now = Date.now(),
): Promise<void> {
  const valueSealed = await sealValue(rt.userKeys(userId), value, secretSlot(userId, name))
  const quota = quotaOf(rt.settings, 'secrets', userId)
  if (await upsertSecret(rt.db, { userId, name, valueSealed }, quota.limit, now)) return
  throw await refusal(rt.db, userId, now, () => quotaExceeded(quota, userId))
}

/** The opened value of one secret; 404 when the user has none by that name. */
export async function readSecret(rt: SecretsRuntime, userId: string, name: string) {
  const row = await findSecret(rt.db, userId, name)
  if (!row) throw notFound('The secret')
  return openValue(rt.userKeys(userId), row.valueSealed, secretSlot(userId, name))
}

/** Deletes one secret; 404 when the user has none by that name. */
export async function removeSecret(
  rt: SecretsRuntime,
  userId: string,
  name: string,
  now = Date.now(),
) {
  if (await deleteSecret(rt.db, userId, name, now)) return
  throw await refusal(rt.db, userId, now, () => notFound('The secret'))
}

/**
 * Secrets whose names the account lacks move, re-sealed under the account's key; the account's
 * own names win. A value that no longer opens (it was altered) is lost either way, so it is
 * dropped with a log line instead of blocking the sign-in; one whose key is merely not configured
 * is not lost, so that fails the merge (503 `misconfigured`) and the value stays where it is.
 */
export const secretsMover: MergeMover = {
  kind: 'secrets',
  async plan({ db, from, into, userKeys }) {
    const [anonymous, account] = await Promise.all([
      listSecretRows(db, from),
      listSecretNames(db, into),
    ])
    if (!anonymous.length) return { statements: [], moved: 0, conflicts: [] }
    const taken = new Set(account.map((row) => row.name))
    const conflicts = anonymous.filter((row) => taken.has(row.name)).map((row) => row.name)
    const [fromKeys, intoKeys] = [userKeys(from), userKeys(into)]
    const resealed = await Promise.all(
      anonymous
        .filter((row) => !taken.has(row.name))
        .map(async (row): Promise<SecretRow | null> => {
          try {
            const value = await openValue(fromKeys, row.valueSealed, secretSlot(from, row.name))
            const valueSealed = await sealValue(intoKeys, value, secretSlot(into, row.name))
            return { ...row, userId: into, valueSealed }
          } catch (error) {
            if (error instanceof AppError) throw error
            console.warn(
              JSON.stringify({ level: 'warn', msg: 'unreadable secret dropped in merge', from }),
            )
            return null
          }
        }),
    )
    const moving = resealed.filter((row): row is SecretRow => row !== null)
    const statements: BatchItem<'sqlite'>[] = [
      ...insertSecretsQueries(db, moving),
      deleteUserSecretsQuery(db, from),
    ]
    return { statements, moved: moving.length, conflicts }
  },
}
