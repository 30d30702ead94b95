/**
 * Queries on `oauth_records`: one row per (user, server) holding sealed tokens, client information
 * and PKCE verifier, and the SDK's discovery state in the clear. Every query is scoped by user id;
 * the sealed values are opaque ciphertext here.
 */
import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Db } from './client'
import { oauthRecords } from './schema'

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

/** Sets one sealed value (and the verifier's expiry) on the row, creating the row if needed. */
export async function upsertOAuthValue(
  db: Db,
  key: { userId: string; serverId: string },
  field: OAuthField,
  sealed: string,
  now: number,
  verifierExpiresAt?: number,
): Promise<void> {
  const set =
    field === 'verifier'
      ? { verifierSealed: sealed, verifierExpiresAt: verifierExpiresAt ?? null, updatedAt: now }
      : { [OAUTH_COLUMNS[field]]: sealed, updatedAt: now }
  await db
    .insert(oauthRecords)
    .values({ ...key, ...set })
    .onConflictDoUpdate({ target: [oauthRecords.userId, oauthRecords.serverId], set })
}

/** Sets the row's discovery state (JSON), creating the row if needed. */
export async function upsertOAuthDiscovery(
  db: Db,
  key: { userId: string; serverId: string },
  json: string,
  now: number,
): Promise<void> {
  const set = { discoveryJson: json, updatedAt: now }
  await db
    .insert(oauthRecords)
    .values({ ...key, ...set })
    .onConflictDoUpdate({ target: [oauthRecords.userId, oauthRecords.serverId], set })
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
  const where = and(eq(oauthRecords.userId, key.userId), eq(oauthRecords.serverId, key.serverId))
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

export async function deleteOAuthRecord(db: Db, userId: string, serverId: string): Promise<void> {
  await db
    .delete(oauthRecords)
    .where(and(eq(oauthRecords.userId, userId), eq(oauthRecords.serverId, serverId)))
}

/** Every row of the user, as a batchable statement. */
export function deleteOAuthRecordsQuery(db: Db, userId: string) {
  return db.delete(oauthRecords).where(eq(oauthRecords.userId, userId))
}

/** Inserts whole rows (the merge's re-sealed copies); an existing (user, server) row is kept. */
export function insertOAuthRecordsQuery(db: Db, rows: OAuthRecordRow[]) {
  return db.insert(oauthRecords).values(rows).onConflictDoNothing()
}
