/**
 * Every kind of user data that moves in a merge, in one list. A per-user data module exports its
 * `MergeMover` and is added here; `SessionDO.signIn` merges with exactly this list.
 */
import { auditTrailMover, type MergeMover } from '../identity/merge/merge'
import { documentsMover } from './documents/service'
import { oauthMover } from './oauth-records/service'
import { preferencesMover } from './preferences/service'
import { secretsMover } from './secrets/service'

export const mergeMovers: readonly MergeMover[] = [
  auditTrailMover,
  oauthMover,
  preferencesMover,
  secretsMover,
  documentsMover,
]
