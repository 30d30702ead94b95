/**
 * Every kind of user data that moves in a merge, in one list. A per-user data module exports its
 * `MergeMover` and is added here; `SessionDO.signIn` merges with exactly this list.
 */
import { auditTrailMover, type MergeMover } from './merge'
import { oauthMover } from './oauth-store'

export const mergeMovers: readonly MergeMover[] = [auditTrailMover, oauthMover]
