/** Queries on `merges`: the stored report of each anonymous user's merge. */
import { eq } from 'drizzle-orm'
import type { SQLiteInsertValue } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../platform/db/client'
import { merges } from '../../platform/db/schema'

export function findMerge(db: Db, fromUserId: string) {
  return db.select().from(merges).where(eq(merges.fromUserId, fromUserId)).get()
}

/** Inserts a merge record; a value may be SQL, evaluated inside the merge's own batch. */
export function insertMergeQuery(db: Db, row: SQLiteInsertValue<typeof merges>) {
  return db.insert(merges).values(row)
}
