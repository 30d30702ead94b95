/** Queries on `magic_links`: only token hashes are stored. */
import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from './client'
import { magicLinks } from './schema'

export async function insertMagicLink(db: Db, row: typeof magicLinks.$inferInsert): Promise<void> {
  await db.insert(magicLinks).values(row)
}

/**
 * Consumes a link: one conditional UPDATE, so across every session and isolate exactly one caller
 * gets the email back; everyone else gets undefined.
 */
export async function consumeMagicLink(
  db: Db,
  tokenHash: string,
  sessionId: string | null,
  now: number,
) {
  const row = await db
    .update(magicLinks)
    .set({ consumedAt: now, consumedBySessionId: sessionId })
    .where(
      and(
        eq(magicLinks.tokenHash, tokenHash),
        isNull(magicLinks.consumedAt),
        gt(magicLinks.expiresAt, now),
      ),
    )
    .returning({ email: magicLinks.email })
    .get()
  return row?.email
}
