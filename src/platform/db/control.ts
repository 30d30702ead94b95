/**
 * Queries on `control`: service-wide flags such as the kill switch's `revoked_before` and the
 * encryption key ids that last passed the start-up key check.
 */
import { eq } from 'drizzle-orm'
import { preparedPerDb, type Db } from './client'
import { control } from './schema'

export const REVOKED_BEFORE = 'revoked_before'
export const KEYS_CHECKED = 'encryption_keys_checked'

/**
 * The kill switch instant in ms, or 0 when it was never pulled. Read fresh from the primary on
 * every refresh, so its statement is prepared once per handle rather than built on every call.
 */
export async function readRevokedBefore(db: Db): Promise<number> {
  const row = await revokedBeforeStatement(db).get()
  return row ? Number(row.value) : 0
}

const revokedBeforeStatement = preparedPerDb((db) =>
  db
    .select({ value: control.value })
    .from(control)
    .where(eq(control.key, REVOKED_BEFORE))
    .prepare(),
)

/** Pulls the kill switch: every session created before `at` stops working. */
export async function writeRevokedBefore(db: Db, at: number): Promise<void> {
  await db
    .insert(control)
    .values({ key: REVOKED_BEFORE, value: String(at), updatedAt: at })
    .onConflictDoUpdate({ target: control.key, set: { value: String(at), updatedAt: at } })
}

/** The configured encryption key ids (comma-separated, in order) that last passed the key check. */
export async function readCheckedKeyIds(db: Db): Promise<string | null> {
  const row = await db.select().from(control).where(eq(control.key, KEYS_CHECKED)).get()
  return row?.value ?? null
}

export async function writeCheckedKeyIds(db: Db, keyIds: string, at: number): Promise<void> {
  await db
    .insert(control)
    .values({ key: KEYS_CHECKED, value: keyIds, updatedAt: at })
    .onConflictDoUpdate({ target: control.key, set: { value: keyIds, updatedAt: at } })
}
