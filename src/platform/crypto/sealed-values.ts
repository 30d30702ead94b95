/**
 * Every column that holds a value sealed under the master key, and the queries key rotation needs
 * over all of them: counts per key id, the values not yet in the current form (under the current
 * key and bound to their slot), and a re-sealed value written back only if the row still holds what
 * was read. Forms are described in platform/crypto/sealing.ts.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from '../db/client'
import type { SealedKind } from '../shared-types'
import { oauthRecords, secrets, signingKeys } from '../db/schema'

/**
 * One sealed column (`field` is its drizzle property); `owner` holds the user whose derived key
 * sealed it, null for values under the master key itself; `kind` and `name` complete the slot
 * each value is bound to.
 */
export interface SealedColumn {
  table: SQLiteTable
  column: SQLiteColumn
  field: string
  owner: SQLiteColumn | null
  kind: SealedKind
  name: SQLiteColumn
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: signingKeys,
    column: signingKeys.privateJwkSealed,
    field: 'privateJwkSealed',
    owner: null,
    kind: 'signing-key',
    name: signingKeys.kid,
  },
  {
    table: secrets,
    column: secrets.valueSealed,
    field: 'valueSealed',
    owner: secrets.userId,
    kind: 'secret',
    name: secrets.name,
  },
  {
    table: oauthRecords,
    column: oauthRecords.tokensSealed,
    field: 'tokensSealed',
    owner: oauthRecords.userId,
    kind: 'oauth.tokens',
    name: oauthRecords.serverId,
  },
  {
    table: oauthRecords,
    column: oauthRecords.clientSealed,
    field: 'clientSealed',
    owner: oauthRecords.userId,
    kind: 'oauth.client',
    name: oauthRecords.serverId,
  },
  {
    table: oauthRecords,
    column: oauthRecords.verifierSealed,
    field: 'verifierSealed',
    owner: oauthRecords.userId,
    kind: 'oauth.verifier',
    name: oauthRecords.serverId,
  },
]

/** The key id a stored value names, in SQL; null for an unlabelled value. */
const keyIdOf = (column: SQLiteColumn): SQL =>
  sql`case when instr(${column}, ':') > 0 then substr(${column}, 1, instr(${column}, ':') - 1) end`

/** How many stored values name each key id (`keyId` null: unlabelled), in one statement. */
export function countSealedValues(db: Db): Promise<Array<{ keyId: string | null; n: number }>> {
  const parts = SEALED_COLUMNS.map(
    ({ table, column }) =>
      sql`select ${keyIdOf(column)} as key_id from ${table} where ${column} is not null`,
  )
  return db.all(
    sql`select key_id as keyId, count(*) as n from (${sql.join(parts, sql` union all `)}) group by key_id`,
  )
}

/** One stored value and where it lives. */
export interface SealedValueRow {
  rowid: number
  sealed: string
  userId: string | null
  name: string
}

/** The first unlabelled value of a column, if any. */
export async function findUnlabelledValue(
  db: Db,
  { table, column, owner, name }: SealedColumn,
): Promise<SealedValueRow | undefined> {
  const rows = await db.all<SealedValueRow>(
    sql`select rowid as rowid, ${column} as sealed, ${owner ?? sql`null`} as userId, ${name} as name from ${table}
        where ${column} is not null and instr(${column}, ':') = 0 limit 1`,
  )
  return rows[0]
}

/**
 * Values of a column that do not start with `currentPrefix` (the current key's bound form), after
 * `afterRowid`, in rowid order: paging by rowid lets a run move past values it cannot open
 * instead of reading them again.
 */
export function listValuesNotIn(
  db: Db,
  { table, column, owner, name }: SealedColumn,
  currentPrefix: string,
  afterRowid: number,
  limit: number,
): Promise<SealedValueRow[]> {
  return db.all<SealedValueRow>(
    sql`select rowid as rowid, ${column} as sealed, ${owner ?? sql`null`} as userId, ${name} as name from ${table}
        where ${column} is not null and instr(${column}, ${currentPrefix}) <> 1
          and rowid > ${afterRowid}
        order by rowid limit ${limit}`,
  )
}

/**
 * Writes re-sealed values back, each only if its row still holds the value that was read: a
 * write that landed meanwhile is already under the current key and wins. Returns how many changed.
 */
export async function replaceSealedValues(
  db: Db,
  { table, column, field }: SealedColumn,
  updates: Array<{ rowid: number; from: string; to: string }>,
): Promise<number> {
  if (updates.length === 0) return 0
  const [first, ...rest] = updates.map(({ rowid, from, to }) =>
    db
      .update(table)
      .set({ [field]: to })
      .where(and(sql`rowid = ${rowid}`, eq(column, from))),
  )
  const results = (await db.batch([first!, ...rest])) as D1Result[]
  return results.reduce((sum, result) => sum + (result.meta.changes ?? 0), 0)
}
