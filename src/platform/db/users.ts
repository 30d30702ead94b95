/** Queries on `users`. */
import { eq } from 'drizzle-orm'
import type { Db } from './client'
import { users } from './schema'

export type UserRow = typeof users.$inferSelect

export function insertUserQuery(db: Db, row: typeof users.$inferInsert) {
  return db.insert(users).values(row)
}

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get()
}
