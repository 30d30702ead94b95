/**
 * Step-up: a change that adds or removes a way into an account (a password, a passkey, a second
 * factor) needs the session to have proven itself moments ago, by a sign-in or by a second-factor
 * code, so a stolen access token alone is not enough.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import { sessionStub } from '../../session'
import { CODE } from '../../contract/error-codes'

/**
 * How recent the proof must be: an access token lives 5 minutes, so one copied from a request
 * cannot outlast the window it was issued in.
 */
export const RECENT_SIGN_IN_MS = 5 * 60 * 1000

/**
 * A second-factor code accepted in a signed-in session, kept like a challenge in the session's
 * object: it expires with the window, and dies with the session (logout, revocation).
 */
const STEP_UP_PURPOSE = 'step-up'

/**
 * 403 `recent_sign_in_required` unless the session signed in, or passed its account's second
 * factor, within RECENT_SIGN_IN_MS.
 */
export async function requireRecentSignIn(
  rt: Runtime,
  sessionId: string,
  now: number,
): Promise<void> {
  const stub = sessionStub(rt, sessionId)
  const [session, stepUp] = await Promise.all([
    stub.status(now),
    stub.peekChallenge(STEP_UP_PURPOSE, now),
  ])
  const signedInAt = session?.authenticatedAt ?? 0
  // The session may have signed into another account since: a factor counts for its own.
  const factorAt = session && stepUp?.userId === session.userId ? (stepUp.createdAt ?? 0) : 0
  if (now - Math.max(signedInAt, factorAt) > RECENT_SIGN_IN_MS)
    throw new AppError(
      403,
      CODE.recent_sign_in_required,
      'This change needs a sign-in or a second-factor code within the last 5 minutes.',
    )
}

/** Records that the session's account just passed its second factor (a step-up). */
export async function noteStepUp(
  rt: Runtime,
  sessionId: string,
  userId: string,
  now: number,
): Promise<void> {
  await sessionStub(rt, sessionId).putChallenge({
    purpose: STEP_UP_PURPOSE,
    challenge: '',
    userId,
    createdAt: now,
    expiresAt: now + RECENT_SIGN_IN_MS,
  })
}
