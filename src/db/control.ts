/** Queries on `control`: service-wide flags such as the kill switch's `revoked_before`. */
import { eq } from 'drizzle-orm'
import type { Db } from './client'
import { control } from './schema'

export const REVOKED_BEFORE = 'revoked_before'

/** The kill switch instant in ms, or 0 when it was never pulled. */
export async function readRevokedBefore(db: Db): Promise<number> {
  const row = await db.select().from(control).where(eq(control.key, REVOKED_BEFORE)).get()
  return row ? Number(row.value) : 0
}

/** Pulls the kill switch: every session created before `at` stops working. */
export async function writeRevokedBefore(db: Db, at: number): Promise<void> {
  await db
    .insert(control)
    .values({ key: REVOKED_BEFORE, value: String(at), updatedAt: at })
    .onConflictDoUpdate({ target: control.key, set: { value: String(at), updatedAt: at } })
}
