/**
 * The quotas a merge answers to. A merge moves all of an anonymous user's data or none of it, so
 * it may take an account past its limits once (nothing the visitor made is lost); an account that
 * has reached a limit takes no further merge that would add to it, so merges cannot grow an
 * account without bound: it holds at most one anonymous user's worth past each limit.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { documents, oauthRecords, secrets } from '../platform/db/schema'
import type { MergeQuotaKind } from '../platform/shared-types'
import { quotaOf, type QuotaSettings } from './quotas'

/** The quotas a merge checks, in the order a report names them. */
export const MERGE_QUOTA_KINDS = [
  'documents',
  'documentBytes',
  'secrets',
  'oauthServers',
] as const satisfies readonly MergeQuotaKind[]

/** The anonymous user whose data would move, and the account it would move into. */
export interface MergeParties {
  from: string
  into: string
}

/** Per kind: what the account uses, in SQL, and whether the anonymous user has any of it. */
const USAGE: Record<MergeQuotaKind, (userId: string) => SQL> = {
  documents: (userId) => sql`(select count(*) from ${documents} where user_id = ${userId})`,
  documentBytes: (userId) =>
    sql`(select coalesce(sum(size_bytes), 0) from ${documents} where user_id = ${userId})`,
  secrets: (userId) => sql`(select count(*) from ${secrets} where user_id = ${userId})`,
  oauthServers: (userId) => sql`(select count(*) from ${oauthRecords} where user_id = ${userId})`,
}

/** True in SQL when `into` has reached its `kind` limit and the merge would add to it. */
function filledBy(settings: QuotaSettings, kind: MergeQuotaKind, parties: MergeParties): SQL {
  const { limit } = quotaOf(settings, kind, parties.into)
  return sql`(${USAGE[kind](parties.into)} >= ${limit} and ${USAGE[kind](parties.from)} > 0)`
}

/**
 * True in SQL while the merge adds nothing to a quota the account has reached: the condition a
 * merge's own batch carries, so of merges racing into one account each sees those before it.
 */
export function mergeFitsQuotas(settings: QuotaSettings, parties: MergeParties): SQL {
  const filled = MERGE_QUOTA_KINDS.map((kind) => filledBy(settings, kind, parties))
  return sql`not (${sql.join(filled, sql` or `)})`
}

/** The account's quotas the merge would add to although they are reached; empty: it may go ahead. */
export async function quotasFilledFor(
  db: Db,
  settings: QuotaSettings,
  parties: MergeParties,
): Promise<MergeQuotaKind[]> {
  const columns = MERGE_QUOTA_KINDS.map(
    (kind) => sql`${filledBy(settings, kind, parties)} as ${sql.identifier(kind)}`,
  )
  const row = await db.get<Record<MergeQuotaKind, number>>(
    sql`select ${sql.join(columns, sql`, `)}`,
  )
  return MERGE_QUOTA_KINDS.filter((kind) => Boolean(row?.[kind]))
}
