/**
 * Queries on `secrets`: one sealed value per (user, name). Every query is scoped by user id; the
 * values here are opaque ciphertext, sealed and opened in user-data/secrets/service.ts.
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { secrets } from '../../platform/db/schema'
import { acceptsWrites } from '../write-guard'

export type SecretRow = typeof secrets.$inferSelect

/** Five bound parameters a row; D1 allows 100 a statement. */
export const SECRET_ROWS_PER_INSERT = 20

/** Names and times of a user's secrets, by name; no values. */
export function listSecretNames(db: Db, userId: string) {
  return db
    .select({ name: secrets.name, createdAt: secrets.createdAt, updatedAt: secrets.updatedAt })
    .from(secrets)
    .where(eq(secrets.userId, userId))
    .orderBy(asc(secrets.name))
    .all()
}

/** Every row of a user's, sealed values included (for a merge). */
export function listSecretRows(db: Db, userId: string): Promise<SecretRow[]> {
  return db.select().from(secrets).where(eq(secrets.userId, userId)).all()
}

/** One secret's row, sealed value included; undefined when the user has none by that name. */
export function findSecret(db: Db, userId: string, name: string) {
  return db
    .select()
    .from(secrets)
    .where(and(eq(secrets.userId, userId), eq(secrets.name, name)))
    .get()
}

/**
 * Creates or replaces one secret (`createdAt` stays that of the first write) if its user takes
 * writes (user-data/write-guard.ts) and a new name stays within `maxSecrets`, in one statement; false
 * when nothing was written.
 */
export async function upsertSecret(
  db: Db,
  row: { userId: string; name: string; valueSealed: string },
  maxSecrets: number,
  now: number,
): Promise<boolean> {
  const { userId, name, valueSealed } = row
  // `where` before `on conflict` also keeps SQLite from reading the upsert as a join.
  const result = await db.run(
    sql`insert into ${secrets} (user_id, name, value_sealed, created_at, updated_at)
        select ${userId}, ${name}, ${valueSealed}, ${now}, ${now}
        where ${acceptsWrites(userId, now)}
          and ((select count(*) from ${secrets} s where s.user_id = ${userId}) < ${maxSecrets}
            or exists (select 1 from ${secrets} s where s.user_id = ${userId} and s.name = ${name}))
        on conflict (user_id, name) do update
          set value_sealed = excluded.value_sealed, updated_at = excluded.updated_at`,
  )
  return result.meta.changes > 0
}

/** Deletes one secret if its user takes writes; false when nothing was deleted. */
export async function deleteSecret(
  db: Db,
  userId: string,
  name: string,
  now: number,
): Promise<boolean> {
  const deleted = await db
    .delete(secrets)
    .where(and(eq(secrets.userId, userId), eq(secrets.name, name), acceptsWrites(userId, now)))
    .returning({ name: secrets.name })
  return deleted.length > 0
}

/** Inserts rows, at most `SECRET_ROWS_PER_INSERT` a statement; an existing name keeps its row. */
export function insertSecretsQueries(db: Db, rows: SecretRow[]) {
  const queries = []
  for (let i = 0; i < rows.length; i += SECRET_ROWS_PER_INSERT) {
    queries.push(
      db
        .insert(secrets)
        .values(rows.slice(i, i + SECRET_ROWS_PER_INSERT))
        .onConflictDoNothing(),
    )
  }
  return queries
}

/** Deletes every secret of one user (for a batch). */
export function deleteUserSecretsQuery(db: Db, userId: string) {
  return db.delete(secrets).where(eq(secrets.userId, userId))
}
