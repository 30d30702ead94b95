/** Queries on `merges`: the stored report of each anonymous user's merge. */
import { eq } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { merges } from '../../platform/db/schema'

export function findMerge(db: Db, fromUserId: string) {
  return db.select().from(merges).where(eq(merges.fromUserId, fromUserId)).get()
}

export function insertMergeQuery(db: Db, row: typeof merges.$inferInsert) {
  return db.insert(merges).values(row)
}
