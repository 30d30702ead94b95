/**
 * The second-factor gate of the sign-in pipeline: which proofs an account with a confirmed
 * factor still has to follow with it. Every method resolves its account through
 * `resolveSignInAccount`, which asks this, so a new method is gated without knowing it.
 */
import type { Db } from '../../platform/db/client'
import type { ClaimedMailbox } from '../../platform/shared-types'
import type { SignInTarget } from '../../session'
import { hasConfirmedFactor } from './queries'

/**
 * True when the sign-in must stop for a second factor: the account has one, and the proof is a
 * first factor alone (a password, a link or its code, a provider). A passkey with user
 * verification and an accepted second factor say so on their target. A mailbox proven for the
 * first time drops what was set before the proof, the factor too (see `dropUnprovenCredentials`).
 */
export async function asksSecondFactor(
  db: Db,
  claimed: ClaimedMailbox,
  target: SignInTarget,
): Promise<boolean> {
  if (target.kind === 'account' && target.secondFactorProven) return false
  if (claimed.droppedCredentials) return false
  return hasConfirmedFactor(db, claimed.account.userId)
}
