/**
 * Every kind of user data that moves in a merge, in one list. A per-user data module exports its
 * `MergeMover` and is added here; `SessionDO.signIn` merges with exactly this list.
 */
import { auditTrailMover, type MergeMover } from './merge'
import { documentsMover } from './documents'
import { oauthMover } from './oauth-store'
import { preferencesMover } from './preferences'
import { secretsMover } from './secrets'

export const mergeMovers: readonly MergeMover[] = [
  auditTrailMover,
  oauthMover,
  preferencesMover,
  secretsMover,
  documentsMover,
]
