/**
 * How one kind of per-user data moves from an anonymous user into an account in a merge. Each
 * data module exports its `MergeMover`; movers.ts lists them; identity's merge runs the list as one
 * D1 batch.
 */
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../platform/db/client'
import type { UserKeys } from '../platform/crypto/user-keys'
import type { MergeKind } from '../platform/shared-types'

/** The kinds the contract's `Merge.moved` reports. */
export const MERGE_KINDS = [
  'documents',
  'preferences',
  'secrets',
  'oauth',
] as const satisfies readonly MergeKind[]

export interface MergePlan {
  statements: BatchItem<'sqlite'>[]
  moved: number
  /** Keys the account already has; their anonymous rows are dropped, not moved. */
  conflicts: string[]
}

/** What a mover plans with: the two users, and their keys for data sealed per user. */
export interface MergeContext {
  db: Db
  from: string
  into: string
  userKeys: UserKeys
}

/** How one kind of data moves from an anonymous user into an account. */
export interface MergeMover {
  /** The report's key; null for data that moves but is not reported (the audit trail). */
  kind: MergeKind | null
  plan(ctx: MergeContext): Promise<MergePlan>
}
