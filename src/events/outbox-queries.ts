/**
 * Queries on `event_outbox`: events written with the change they report and removed once the
 * queue has them. Rows are few and short-lived; the sweep reads the ones a request left behind.
 */
import { asc, inArray, lt } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { eventOutbox } from '../platform/db/schema'

export type EventOutboxRow = typeof eventOutbox.$inferSelect

/** Three bound parameters a row; D1 allows 100 a statement. */
const ROWS_PER_INSERT = 33

/** Inserts for the rows, as batchable statements (none for no rows). */
export function insertEventsQueries(db: Db, rows: readonly EventOutboxRow[]) {
  const statements = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    statements.push(db.insert(eventOutbox).values(rows.slice(i, i + ROWS_PER_INSERT)))
  return statements
}

/** The oldest rows written before `before`, at most `limit`. */
export function listEventsBefore(db: Db, before: number, limit: number) {
  return db
    .select()
    .from(eventOutbox)
    .where(lt(eventOutbox.createdAt, before))
    .orderBy(asc(eventOutbox.createdAt))
    .limit(limit)
    .all()
}

/** Deletes the rows (at most 100 ids, the most a queue batch carries). */
export async function deleteEvents(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.delete(eventOutbox).where(inArray(eventOutbox.id, [...ids]))
}
