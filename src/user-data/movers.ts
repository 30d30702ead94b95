/**
 * Every kind of user data that moves in a merge, in one list. A per-user data module exports its
 * `MergeMover` and is added here; `SessionDO.signIn` merges with exactly this list.
 */
import { eq } from 'drizzle-orm'
import { auditEvents } from '../platform/db/schema'
import type { MergeMover } from './mover'
import { documentsMover } from './documents/service'
import { oauthMover } from './oauth-records/service'
import { preferencesMover } from './preferences/service'
import { secretsMover } from './secrets/service'

/** The anonymous user's audit trail follows them into the account. */
export const auditTrailMover: MergeMover = {
  kind: null,
  async plan({ db, from, into }) {
    return {
      statements: [
        db.update(auditEvents).set({ userId: into }).where(eq(auditEvents.userId, from)),
      ],
      moved: 0,
      conflicts: [],
    }
  },
}

export const mergeMovers: readonly MergeMover[] = [
  auditTrailMover,
  oauthMover,
  preferencesMover,
  secretsMover,
  documentsMover,
]
