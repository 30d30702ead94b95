/**
 * Queries on `preferences`: one JSON object per user. Patches are applied by SQLite's
 * `json_patch` (RFC 7396) inside one upsert, so concurrent patches never overwrite each other.
 */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { preferences } from '../../platform/db/schema'
import { acceptsWrites } from '../write-guard'

export type PreferencesData = Record<string, unknown>

/** A user's stored preferences, or undefined when they never set any. */
export async function findPreferences(
  db: Db,
  userId: string,
): Promise<PreferencesData | undefined> {
  const row = await db
    .select({ data: preferences.data })
    .from(preferences)
    .where(eq(preferences.userId, userId))
    .get()
  return row?.data
}

export interface PreferencesPatchWrite {
  /** The patch as JSON text, applied to an existing row by `json_patch`. */
  patch: string
  /** The patch applied to `{}`: the row to insert when the user has none yet. */
  initial: PreferencesData
  /** An existing row is only updated if the patched object stays within this many bytes. */
  maxBytes: number
  now: number
}

/**
 * Applies a merge patch in one statement, if the user takes writes (user-data/write-guard.ts), and
 * returns the stored result; undefined when nothing was written: the patched object would exceed
 * `maxBytes`, or the user takes no writes.
 */
export async function patchPreferences(
  db: Db,
  userId: string,
  write: PreferencesPatchWrite,
): Promise<PreferencesData | undefined> {
  const patched = sql`json_patch(data, ${write.patch})`
  const row = await db.get<{ data: string } | undefined>(
    sql`insert into ${preferences} (user_id, data, updated_at)
        select ${userId}, ${JSON.stringify(write.initial)}, ${write.now}
        where ${acceptsWrites(userId, write.now)}
        on conflict (user_id) do update set data = ${patched}, updated_at = excluded.updated_at
          where length(cast(${patched} as blob)) <= ${write.maxBytes}
        returning data`,
  )
  return row ? (JSON.parse(row.data) as PreferencesData) : undefined
}

/**
 * Adds `keys` to a user's preferences, creating the row if needed. Keys the user has by the time
 * the statement runs keep their value: the stored object is applied as a patch over `keys`.
 */
export function addPreferenceKeysQuery(db: Db, userId: string, keys: PreferencesData, now: number) {
  return db
    .insert(preferences)
    .values({ userId, data: keys, updatedAt: now })
    .onConflictDoUpdate({
      target: preferences.userId,
      set: { data: sql`json_patch(excluded.data, ${preferences.data})`, updatedAt: now },
    })
}

/** Deletes a user's preferences row (for a batch). */
export function deletePreferencesQuery(db: Db, userId: string) {
  return db.delete(preferences).where(eq(preferences.userId, userId))
}
