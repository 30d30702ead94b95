/**
 * Signing out everywhere: every session of the user ends, every sign-in link of theirs dies, used
 * or not, so no remembered link can start a session again, and so does every sign-in waiting for
 * its second factor.
 */
import { recordAuditEvent } from '../platform/audit/audit-log'
import type { Runtime } from '../platform/runtime'
import type { RequestMeta } from '../platform/shared-types'
import { endSessionsOf } from '../session'
import { invalidateLinksOfUser } from './magic-links/queries'
import { endPendingChallenges } from './factors/queries'

/** Ends every live session of `userId` and kills their sign-in links; returns how many ended. */
export async function revokeAllSessions(
  rt: Runtime,
  userId: string,
  meta: RequestMeta,
  currentSessionId: string | null,
): Promise<number> {
  const now = Date.now()
  const [ended] = await Promise.all([
    endSessionsOf(rt, userId, now),
    invalidateLinksOfUser(rt.db, userId, now),
    endPendingChallenges(rt.db, userId, now),
  ])
  await recordAuditEvent(
    rt.db,
    {
      type: 'auth.logout_all',
      userId,
      sessionId: currentSessionId,
      detail: { sessions: ended },
    },
    meta,
    now,
  )
  return ended
}
