/**
 * Every kind of user data that moves in a merge, in one list. A per-user data module exports its
 * `MergeMover` and is added here; `SessionDO.signIn` merges with exactly this list.
 */
import { auditTrailMover, type MergeMover } from './merge'

export const mergeMovers: readonly MergeMover[] = [auditTrailMover]
