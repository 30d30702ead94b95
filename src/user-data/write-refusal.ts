/**
 * Explaining a guarded write that changed nothing. Per-user writes carry their conditions in the
 * statement (user-data/write-guard.ts, the quotas), so a refusal comes back as "no row changed"; one
 * read then says which condition it was.
 */
import type { Db } from '../platform/db/client'
import { userAcceptsWrites } from './write-guard'
import { tokenSuperseded, type AppError } from '../platform/errors'

/**
 * The error for a write that changed nothing: `token_superseded` when the user's data takes no
 * writes (merged, or a merge under way), otherwise what `otherwise` finds.
 */
export async function refusal(
  db: Db,
  userId: string,
  now: number,
  otherwise: () => AppError | Promise<AppError>,
): Promise<AppError> {
  if (!(await userAcceptsWrites(db, userId, now))) return tokenSuperseded()
  return otherwise()
}
