/**
 * Whether a request holds the session it names (its refresh secret), checked without rotating
 * it: a session id is public, so a registration binds to a session, and a confirmation keeps a
 * password, only for the holder of that session's secret.
 */
import { readRevokedBefore } from '../../platform/db/control'
import type { Runtime } from '../../platform/runtime'
import { sessionStub } from '../../session'
import type { SessionProof } from '../sign-in'

export async function holdsSession(rt: Runtime, from: SessionProof, now: number): Promise<boolean> {
  return sessionStub(rt, from.sessionId).holds(from.secret, {
    sessionId: from.sessionId,
    now,
    reuseGraceSeconds: rt.settings.REFRESH_REUSE_GRACE,
    revokedBefore: await readRevokedBefore(rt.db),
  })
}
