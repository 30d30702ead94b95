/** Whether a start request proved the caller's session with its refresh credential. */
import type { Context } from 'hono'
import type { AppEnv } from '../../http/app-env'
import { readRevokedBefore } from '../../platform/db/control'
import type { UserContext } from '../../platform/shared-types'
import { holdsSession, sessionProof } from '../session-proof'

export async function proofOfCaller(
  c: Context<AppEnv>,
  caller: UserContext,
  bodyRefreshToken: string | undefined,
): Promise<boolean> {
  const proof = sessionProof(c, bodyRefreshToken)
  if (proof?.sessionId !== caller.sessionId) return false
  const rt = c.var.rt
  return holdsSession(rt, proof, { now: Date.now(), revokedBefore: await readRevokedBefore(rt.db) })
}
