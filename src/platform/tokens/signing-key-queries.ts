/** Queries on `signing_keys`: the ES256 key pairs, private halves sealed under ENCRYPTION_KEY. */
import { desc, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { signingKeys } from '../db/schema'

export type SigningKeyRow = typeof signingKeys.$inferSelect

/** Keys not yet retired, newest first: the newest signs, all of them verify. */
export function listUnretiredKeys(db: Db): Promise<SigningKeyRow[]> {
  return db
    .select()
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(desc(signingKeys.createdAt))
}

export async function insertSigningKey(db: Db, row: SigningKeyRow): Promise<void> {
  await db.insert(signingKeys).values(row)
}
