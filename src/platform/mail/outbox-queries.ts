/** Queries on `outbox`, the local mailbox used when MAILER=outbox. */
import { desc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { outbox } from '../db/schema'

export type OutboxRow = typeof outbox.$inferSelect

export async function insertOutboxMessage(db: Db, row: typeof outbox.$inferInsert): Promise<void> {
  await db.insert(outbox).values(row)
}

export function listOutbox(db: Db, to: string, limit = 50): Promise<OutboxRow[]> {
  return db
    .select()
    .from(outbox)
    .where(eq(outbox.to, to))
    .orderBy(desc(outbox.sentAt), desc(outbox.id))
    .limit(limit)
}
