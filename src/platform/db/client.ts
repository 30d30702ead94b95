/** The drizzle handle over the D1 binding; query functions take it as their first argument. */
import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = ReturnType<typeof createDb>

/**
 * Over the binding, every query goes to the primary; over a D1 session (`withSession`, see
 * read-session.ts), queries may be served by a replica consistent with the session's bookmark.
 */
export function createDb(d1: D1Database | D1DatabaseSession) {
  // drizzle's D1 driver types its client as the binding, but calls only prepare() and batch()
  // (drizzle-orm/d1/session.js), which a session has too.
  return drizzle(d1 as D1Database, { schema })
}

/**
 * `prepare(db)` built once per handle and kept: for a statement a hot path runs on every request,
 * which drizzle would otherwise build from its query builder each time. Run it with placeholders.
 */
export function preparedPerDb<T>(prepare: (db: Db) => T): (db: Db) => T {
  const prepared = new WeakMap<Db, T>()
  return (db) => {
    let statement = prepared.get(db)
    if (!statement) {
      statement = prepare(db)
      prepared.set(db, statement)
    }
    return statement
  }
}
