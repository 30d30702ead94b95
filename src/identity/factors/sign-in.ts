/**
 * Finishing a sign-in with its second factor: the challenge the first factor answered, and a code.
 * It ends in the same `signIn` as every method, now with both factors proven: a bound challenge
 * signs its session in (merging its anonymous data once), an unbound one starts the session its
 * challenge was kept for.
 */
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta } from '../../platform/shared-types'
import { readRevokedBefore } from '../../platform/db/control'
import { findUser } from '../../platform/db/users'
import { unauthorized } from '../../platform/errors'
import { CODE } from '../../contract/error-codes'
import { accountSubject } from '../accounts'
import { holdsSession } from '../session-proof'
import { signInWithBothFactors, type SessionProof, type SignInOutcome } from '../sign-in'
import { invalidChallenge, readChallenge, takeChallenge } from './challenges'
import { findSecondFactor } from './queries'
import { verifySecondFactor, type FactorProof } from './verification'

export async function finishSecondFactor(
  rt: Runtime,
  challenge: string,
  proof: FactorProof,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const now = Date.now()
  const [open, revokedBefore] = await Promise.all([
    readChallenge(rt, challenge, now),
    readRevokedBefore(rt.db),
  ])
  const factor = await findSecondFactor(rt.db, open.userId)
  // The kill switch, logout-all and a password change end challenges made before them.
  const validFrom = Math.max(revokedBefore, factor?.challengesValidFrom ?? 0)
  if (!factor?.confirmedAt || open.createdAt < validFrom) throw invalidChallenge()
  // Only the session that proved itself at the first factor may answer (a session id is public,
  // so its secret is checked before a try is spent).
  if (open.bound) {
    const proven =
      from?.sessionId === open.sessionId && (await holdsSession(rt, from, { now, revokedBefore }))
    if (!proven)
      throw unauthorized(
        CODE.session_required,
        'Answer the second factor from the session that signed in (its cookie, or refreshToken).',
      )
  }
  await verifySecondFactor(
    rt,
    { userId: open.userId, sessionId: open.sessionId, purpose: 'sign-in', now },
    proof,
    meta,
  )
  await takeChallenge(rt, open, now)
  const user = await findUser(rt.db, open.userId)
  if (!user || user.isAnonymous || user.mergedInto) throw invalidChallenge()
  const target = {
    kind: 'account' as const,
    account: accountSubject(user),
    droppedCredentials: open.droppedCredentials,
  }
  return open.bound
    ? signInWithBothFactors(rt, from, target, meta)
    : signInWithBothFactors(rt, null, target, meta, open.sessionId)
}
