/**
 * Queries on `oauth_records`: one row per (user, server) holding sealed tokens, client information
 * and PKCE verifier, and the SDK's discovery state in the clear. Every query is scoped by user id;
 * the sealed values are opaque ciphertext here.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { oauthRecords } from '../../platform/db/schema'
import { acceptsWrites } from '../write-guard'

export type OAuthRecordRow = typeof oauthRecords.$inferSelect

/** The sealed column of each stored value. */
export const OAUTH_COLUMNS = {
  tokens: 'tokensSealed',
  client: 'clientSealed',
  verifier: 'verifierSealed',
} as const satisfies Record<string, keyof OAuthRecordRow>

export type OAuthField = keyof typeof OAUTH_COLUMNS

/** What a scoped clear can forget: a sealed value, or the discovery state. */
export type OAuthClearField = OAuthField | 'discovery'

/** Bound parameters one row takes in an INSERT (its eight columns); D1 allows 100 a statement. */
export const OAUTH_ROW_PARAMS = 8

/** A user's rows, by server id. */
export function listOAuthRecords(db: Db, userId: string) {
  return db
    .select()
    .from(oauthRecords)
    .where(eq(oauthRecords.userId, userId))
    .orderBy(asc(oauthRecords.serverId))
    .all()
}

export function findOAuthRecord(db: Db, userId: string, serverId: string) {
  return db
    .select()
    .from(oauthRecords)
    .where(and(eq(oauthRecords.userId, userId), eq(oauthRecords.serverId, serverId)))
    .get()
}

/** The server ids a user has records for. */
export async function listOAuthServerIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .select({ serverId: oauthRecords.serverId })
    .from(oauthRecords)
    .where(eq(oauthRecords.userId, userId))
    .all()
  return rows.map((row) => row.serverId)
}

/** The SQL column of each stored value: the sealed ones, and the discovery state in the clear. */
const SQL_COLUMNS = {
  tokens: sql.raw('tokens_sealed'),
  client: sql.raw('client_sealed'),
  verifier: sql.raw('verifier_sealed'),
  discovery: sql.raw('discovery_json'),
} as const satisfies Record<OAuthClearField, unknown>

/**
 * Sets one value (and the verifier's expiry) on the row, creating the row if needed, if the
 * user takes writes (user-data/write-guard.ts) and a new server stays within `maxServers`, in one
 * statement; false when nothing was written.
 */
export async function upsertOAuthValue(
  db: Db,
  key: { userId: string; serverId: string },
  field: OAuthClearField,
  sealed: string,
  now: number,
  maxServers: number,
  verifierExpiresAt?: number,
): Promise<boolean> {
  const { userId, serverId } = key
  const column = SQL_COLUMNS[field]
  const expiresAt = field === 'verifier' ? (verifierExpiresAt ?? null) : null
  // The verifier's expiry is written with the verifier and left alone by the other fields.
  const expirySet =
    field === 'verifier' ? sql`, verifier_expires_at = excluded.verifier_expires_at` : sql``
  const result = await db.run(
    sql`insert into ${oauthRecords} (user_id, server_id, ${column}, verifier_expires_at, updated_at)
        select ${userId}, ${serverId}, ${sealed}, ${expiresAt}, ${now}
        where ${acceptsWrites(userId, now)}
          and ((select count(*) from ${oauthRecords} o where o.user_id = ${userId}) < ${maxServers}
            or exists (select 1 from ${oauthRecords} o where o.user_id = ${userId} and o.server_id = ${serverId}))
        on conflict (user_id, server_id) do update
          set ${column} = excluded.${column}${expirySet}, updated_at = excluded.updated_at`,
  )
  return result.meta.changes > 0
}

/**
 * Clears some of a row's values; a row left with none is deleted, so a listing never shows a
 * server with nothing stored. Both statements run in one batch.
 */
export async function clearOAuthValues(
  db: Db,
  key: { userId: string; serverId: string },
  fields: readonly OAuthClearField[],
  now: number,
): Promise<void> {
  const where = and(
    eq(oauthRecords.userId, key.userId),
    eq(oauthRecords.serverId, key.serverId),
    acceptsWrites(key.userId, now),
  )
  const set: Partial<OAuthRecordRow> = { updatedAt: now }
  for (const field of fields) {
    if (field === 'discovery') set.discoveryJson = null
    else set[OAUTH_COLUMNS[field]] = null
  }
  if (fields.includes('verifier')) set.verifierExpiresAt = null
  await db.batch([
    db.update(oauthRecords).set(set).where(where),
    db
      .delete(oauthRecords)
      .where(
        and(
          where,
          isNull(oauthRecords.tokensSealed),
          isNull(oauthRecords.clientSealed),
          isNull(oauthRecords.verifierSealed),
          isNull(oauthRecords.discoveryJson),
        ),
      ),
  ])
}

/** Deletes one record if its user takes writes. */
export async function deleteOAuthRecord(
  db: Db,
  userId: string,
  serverId: string,
  now: number,
): Promise<void> {
  await db
    .delete(oauthRecords)
    .where(
      and(
        eq(oauthRecords.userId, userId),
        eq(oauthRecords.serverId, serverId),
        acceptsWrites(userId, now),
      ),
    )
}

/** Every row of the user, as a batchable statement. */
export function deleteOAuthRecordsQuery(db: Db, userId: string) {
  return db.delete(oauthRecords).where(eq(oauthRecords.userId, userId))
}

/** Inserts whole rows (the merge's re-sealed copies); an existing (user, server) row is kept. */
export function insertOAuthRecordsQuery(db: Db, rows: OAuthRecordRow[]) {
  return db.insert(oauthRecords).values(rows).onConflictDoNothing()
}
